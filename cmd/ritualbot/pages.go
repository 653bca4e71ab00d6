package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
)

// The bot's own pages (calendar feeds, postmortems) are open by default,
// as docs/CONTRACT.md lists them. With RITUALBOT_LINK_SECRET set, each needs the
// signature of its path (?sig=…), which the links the bot posts in Slack
// carry: a page is then read by whoever was given its link, not by
// whoever guesses /incidents/7/postmortem.md. The signature, not the
// secret, is what messages (and so the store's outbox) hold.

// pagesOf links to the bot's pages, signed when the secret is set.
func pagesOf(cfg *config.Config, env func(string) string) rituals.Pages {
	p := rituals.Pages{Base: cfg.HTTP.PublicURL}
	if env(envLinkSecret) != "" {
		p.Sign = func(path string) string { return signPath(env(envLinkSecret), path) }
	}
	return p
}

// signPath is the signature of a page's path under secret.
func signPath(secret, path string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("ritualbot page\x00" + path))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// requireSignature serves next only to requests carrying their path's
// signature, while the secret is set (read at each request, as the other
// secrets are).
func (m *Main) requireSignature(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret := m.Env(envLinkSecret)
		if secret != "" && !hmac.Equal([]byte(r.URL.Query().Get("sig")), []byte(signPath(secret, r.URL.Path))) {
			http.Error(w, "this page needs the link the bot posts in Slack (it ends in ?sig=…): "+envLinkSecret+" is set on the bot", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
