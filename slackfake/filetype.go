package slackfake

import (
	"net/http"
	"strings"
)

// Slack reads an uploaded file's type from its content, not its name: a
// file called chart.png that holds text shows as text, not as an image.
// The fake does the same, so a test can check that what the app uploaded
// is the picture it claims.

// fileTypes maps a sniffed MIME type to Slack's `filetype`.
var fileTypes = map[string]string{
	"image/png":       "png",
	"image/jpeg":      "jpg",
	"image/gif":       "gif",
	"image/webp":      "webp",
	"application/pdf": "pdf",
	"application/zip": "zip",
	"text/plain":      "text",
	"text/html":       "html",
}

// detectFiletype returns Slack's filetype and mimetype for data.
func detectFiletype(data []byte) (filetype, mimetype string) {
	mimetype, _, _ = strings.Cut(http.DetectContentType(data), ";")
	if ft, ok := fileTypes[mimetype]; ok {
		return ft, mimetype
	}
	return "binary", "application/octet-stream"
}
