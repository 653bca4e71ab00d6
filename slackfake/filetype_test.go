package slackfake_test

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

func TestUploadedFileTypeComesFromContent(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	api := botClient(f)
	var pic bytes.Buffer
	if err := png.Encode(&pic, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	for _, up := range []struct{ name, content string }{
		{"chart.png", pic.String()},
		{"fake.png", "not a picture at all"}, // the name lies
	} {
		if _, err := api.UploadFile(slack.UploadFileParameters{Filename: up.name, Content: up.content, FileSize: len(up.content), Channel: "C0GENERAL"}); err != nil {
			t.Fatal(err)
		}
	}
	files := f.Files()
	if len(files) != 2 {
		t.Fatalf("%d files", len(files))
	}
	if files[0].Filetype != "png" || files[0].Mimetype != "image/png" {
		t.Errorf("a PNG is %s (%s), want png (image/png)", files[0].Filetype, files[0].Mimetype)
	}
	if files[1].Filetype != "text" {
		t.Errorf("text named .png is %s, want text", files[1].Filetype)
	}
}
