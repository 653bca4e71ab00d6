package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Files use Slack's three steps: files.getUploadURLExternal hands out an
// upload_url on the fake, the app POSTs the bytes there, and
// files.completeUploadExternal finishes the upload and shares it.

func (s *Server) apiGetUploadURL(p params) map[string]any {
	name := p.get("filename")
	length, err := strconv.Atoi(p.get("length"))
	if name == "" || err != nil || length <= 0 {
		return fail("invalid_arguments")
	}
	id := s.nextID("F")
	tok := randomHex(16)
	s.uploads[id] = &upload{id: id, filename: name, length: length, token: tok}
	s.uploadTok[tok] = id
	return map[string]any{"upload_url": s.baseURL() + "/upload/v1/" + tok, "file_id": id}
}

func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	if !s.acceptPost(w, r, "upload") {
		return
	}
	tok := strings.TrimPrefix(r.URL.Path, "/upload/v1/")
	data, err := readUpload(r)
	if err != nil {
		http.Error(w, "bad upload: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.uploadTok[tok]
	if !ok {
		http.Error(w, "unknown upload URL", http.StatusNotFound)
		return
	}
	u := s.uploads[id]
	if u.completed {
		http.Error(w, "upload already completed", http.StatusBadRequest)
		return
	}
	// The length promised to files.getUploadURLExternal must match.
	if len(data) != u.length {
		http.Error(w, fmt.Sprintf("length mismatch: declared %d bytes, received %d", u.length, len(data)), http.StatusBadRequest)
		return
	}
	u.data, u.uploaded = data, true
	s.notifyLocked()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprintf(w, "OK - %d", len(data))
}

// readUpload takes the file from a multipart form (field "file", or the
// first file part) or, for any other body, the raw bytes.
func readUpload(r *http.Request) ([]byte, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return io.ReadAll(io.LimitReader(r.Body, maxBody))
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, fmt.Errorf("no file part")
		}
		if err != nil {
			return nil, err
		}
		if part.FormName() == "file" || part.FileName() != "" {
			return io.ReadAll(io.LimitReader(part, maxBody))
		}
	}
}

func (s *Server) apiCompleteUpload(p params) map[string]any {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(p.raw("files"), &files); err != nil || len(files) == 0 {
		return fail("invalid_arguments")
	}
	var targets []string
	if id := p.get("channel_id"); id != "" {
		targets = append(targets, id)
	}
	for _, id := range strings.Split(p.get("channels"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			targets = append(targets, id)
		}
	}
	var chans []*channel
	for _, id := range targets {
		c := s.channelLocked(id)
		if c == nil {
			return fail("channel_not_found")
		}
		if !c.hasMember(s.opts.BotUserID) {
			return fail("not_in_channel")
		}
		chans = append(chans, c)
	}
	var ups []*upload
	for _, f := range files {
		u, ok := s.uploads[f.ID]
		if !ok || !u.uploaded || u.completed {
			return fail("file_not_found")
		}
		ups = append(ups, u)
	}
	comment := p.get("initial_comment")
	var blocks json.RawMessage
	if comment == "" {
		blocks = p.raw("blocks")
		if blocks != nil {
			if code, problems := validateMessageContent("", blocks, false); code != "" {
				return failProblems(code, problems)
			}
		}
	}
	out := []map[string]any{}
	var ids []string
	for i, u := range ups {
		u.completed = true
		u.title = files[i].Title
		if u.title == "" {
			u.title = u.filename
		}
		u.comment = comment
		u.threadTS = p.get("thread_ts")
		for _, c := range chans {
			u.channels = append(u.channels, c.ID)
		}
		s.fileOrder = append(s.fileOrder, u.id)
		ids = append(ids, u.id)
		out = append(out, map[string]any{"id": u.id, "title": u.title})
	}
	// Sharing posts one message carrying the files in each channel.
	for _, c := range chans {
		m := s.postLocked(c.ID, s.opts.BotUserID, true, comment, blocks, s.threadForLocked(c.ID, p.get("thread_ts")))
		m.files = ids
	}
	s.notifyLocked()
	return map[string]any{"files": out}
}
