package slackfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"

	"github.com/ritualbot/ritualbot/slacktier"
)

// params are a Web API call's arguments, from a form, a query string or
// a JSON body.
type params struct {
	form   url.Values
	json   map[string]json.RawMessage
	isJSON bool
}

func (p params) has(k string) bool {
	if p.isJSON {
		if _, ok := p.json[k]; ok {
			return true
		}
	}
	_, ok := p.form[k]
	return ok
}

// get returns an argument as a string: a JSON string is unquoted, any
// other JSON value is returned as its JSON text.
func (p params) get(k string) string {
	if p.isJSON {
		if raw, ok := p.json[k]; ok {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				return s
			}
			if string(raw) == "null" {
				return ""
			}
			return string(raw)
		}
	}
	return p.form.Get(k)
}

// raw returns a JSON-valued argument (blocks, view, files): a nested JSON
// value, or a form field holding JSON text. Empty means absent.
func (p params) raw(k string) json.RawMessage {
	s := strings.TrimSpace(p.get(k))
	if s == "" || s == "null" {
		return nil
	}
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(s)) != nil {
		return json.RawMessage(s) // left for the caller's validation to reject
	}
	return buf.Bytes()
}

func (p params) bool(k string) bool {
	switch strings.ToLower(p.get(k)) {
	case "1", "true", "yes":
		return true
	}
	return false
}

func (p params) int(k string, def int) int {
	n, err := strconv.Atoi(p.get(k))
	if err != nil {
		return def
	}
	return n
}

const maxBody = 32 << 20

func parseParams(r *http.Request) (params, error) {
	var p params
	if r.Method == http.MethodGet {
		p.form = r.URL.Query()
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return p, err
		}
		p.isJSON = true
		p.form = r.URL.Query()
		p.json = map[string]json.RawMessage{}
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &p.json); err != nil {
				return p, err
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return p, err
		}
		p.form = r.Form
	default:
		r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			return p, err
		}
		p.form = r.Form
	}
	return p, nil
}

type tokenKind int

const (
	botToken tokenKind = iota
	appToken
)

type apiHandler struct {
	token tokenKind
	fn    func(s *Server, p params) map[string]any
}

var apiMethods map[string]apiHandler

func init() {
	apiMethods = map[string]apiHandler{
		"auth.test":             {botToken, (*Server).apiAuthTest},
		"apps.connections.open": {appToken, (*Server).apiConnectionsOpen},

		"chat.postMessage":   {botToken, (*Server).apiPostMessage},
		"chat.update":        {botToken, (*Server).apiUpdate},
		"chat.delete":        {botToken, (*Server).apiDelete},
		"chat.postEphemeral": {botToken, (*Server).apiPostEphemeral},
		"chat.getPermalink":  {botToken, (*Server).apiGetPermalink},
		"reactions.add":      {botToken, (*Server).apiReactionsAdd},

		"conversations.open":     {botToken, (*Server).apiConversationsOpen},
		"conversations.list":     {botToken, (*Server).apiConversationsList},
		"conversations.info":     {botToken, (*Server).apiConversationsInfo},
		"conversations.setTopic": {botToken, (*Server).apiSetTopic},
		"conversations.history":  {botToken, (*Server).apiHistory},
		"conversations.replies":  {botToken, (*Server).apiReplies},
		"conversations.members":  {botToken, (*Server).apiMembers},
		"conversations.create":   {botToken, (*Server).apiConversationsCreate},
		"conversations.invite":   {botToken, (*Server).apiConversationsInvite},
		"conversations.archive":  {botToken, (*Server).apiConversationsArchive},

		"users.info":          {botToken, (*Server).apiUsersInfo},
		"users.list":          {botToken, (*Server).apiUsersList},
		"users.lookupByEmail": {botToken, (*Server).apiLookupByEmail},

		"usergroups.list":         {botToken, (*Server).apiUserGroupsList},
		"usergroups.users.list":   {botToken, (*Server).apiUserGroupUsersList},
		"usergroups.users.update": {botToken, (*Server).apiUserGroupUsersUpdate},

		"views.open":    {botToken, (*Server).apiViewsOpen},
		"views.push":    {botToken, (*Server).apiViewsPush},
		"views.update":  {botToken, (*Server).apiViewsUpdate},
		"views.publish": {botToken, (*Server).apiViewsPublish},

		"files.getUploadURLExternal":   {botToken, (*Server).apiGetUploadURL},
		"files.completeUploadExternal": {botToken, (*Server).apiCompleteUpload},
		// Slack retired files.upload; calls now fail.
		"files.upload": {botToken, func(*Server, params) map[string]any { return fail("method_deprecated") }},
	}
}

func fail(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

// failProblems is an error with Slack's problem details, as Block Kit and
// argument validation report them.
func failProblems(code string, problems []string) map[string]any {
	out := fail(code)
	if len(problems) > 0 {
		out["errors"] = problems
		out["response_metadata"] = map[string]any{"messages": errorMessages(problems)}
	}
	return out
}

func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	f, faulted := s.countCall(method)
	switch {
	case !faulted:
		s.serveMethod(w, r, method)
	case f.Accepted:
		// Slack does the work; the fault then hits the answer.
		rec := httptest.NewRecorder()
		s.serveMethod(rec, r, method)
		if !s.applyFault(w, r, f) {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		}
	case !s.applyFault(w, r, f):
		s.serveMethod(w, r, method)
	}
}

// serveMethod carries out one Web API call.
func (s *Server) serveMethod(w http.ResponseWriter, r *http.Request, method string) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, fail("invalid_request"))
		return
	}
	h, known := apiMethods[method]
	if !known {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "unknown_method", "req_method": method})
		return
	}
	p, err := parseParams(r)
	if err != nil {
		code := "invalid_form_data"
		if p.isJSON {
			code = "invalid_json"
		}
		writeJSON(w, http.StatusOK, fail(code))
		return
	}
	// A JSON body carries its token only in the Authorization header.
	tok := bearerToken(r)
	if tok == "" && !p.isJSON {
		tok = p.get("token")
	}
	s.mu.Lock()
	revoked := s.tokensRevoked
	s.mu.Unlock()
	var kind tokenKind
	switch tok {
	case "":
		writeJSON(w, http.StatusOK, fail("not_authed"))
		return
	case s.opts.BotToken, s.opts.AppToken:
		if revoked {
			writeJSON(w, http.StatusOK, fail("invalid_auth"))
			return
		}
	}
	switch tok {
	case s.opts.BotToken:
		kind = botToken
	case s.opts.AppToken:
		kind = appToken
	default:
		writeJSON(w, http.StatusOK, fail("invalid_auth"))
		return
	}
	if kind != h.token {
		writeJSON(w, http.StatusOK, fail("not_allowed_token_type"))
		return
	}
	buckets := [][2]string{{method, ""}}
	if method == "chat.postMessage" {
		s.mu.Lock()
		key := s.rateKeyLocked(p.get("channel"))
		s.mu.Unlock()
		buckets = append(buckets, [2]string{slacktier.PostMessagePerChannel, key})
	}
	if ok, retry := s.limiter.take(buckets...); !ok {
		s.mu.Lock()
		s.limited[method]++
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		writeJSON(w, http.StatusTooManyRequests, fail("ratelimited"))
		return
	}
	s.mu.Lock()
	res := s.missingScopeLocked(method)
	if res == nil {
		res = h.fn(s, p)
	}
	then := s.then
	s.then = nil
	if len(then) > 0 && !s.closed {
		s.wg.Add(1)
		defer func() {
			go func() {
				defer s.wg.Done()
				for _, f := range then {
					f()
				}
			}()
		}()
	}
	s.mu.Unlock()
	if _, ok := res["ok"]; !ok {
		res["ok"] = true
	}
	if p.isJSON && !strings.Contains(strings.ToLower(r.Header.Get("Content-Type")), "charset") {
		// Slack answers JSON bodies sent without a charset with this warning.
		res["warning"] = "missing_charset"
		md, _ := res["response_metadata"].(map[string]any)
		if md == nil {
			md = map[string]any{}
			res["response_metadata"] = md
		}
		md["warnings"] = []string{"missing_charset"}
	}
	writeJSON(w, http.StatusOK, res)
}

// rateKeyLocked names the conversation a chat.postMessage goes to, for
// the per-channel bucket, without opening anything.
func (s *Server) rateKeyLocked(ch string) string {
	if ch != "" && (ch[0] == 'U' || ch[0] == 'W') {
		return "dm:" + ch
	}
	if c := s.channelLocked(ch); c != nil {
		if c.isIM {
			return "dm:" + c.imUser
		}
		return c.ID
	}
	return ch
}

// Cursors are opaque to clients, as Slack's are; ours encode an offset.
func encodeCursor(kind string, offset int) string {
	return base64.StdEncoding.EncodeToString([]byte(kind + ":" + strconv.Itoa(offset)))
}

func decodeCursor(kind, cursor string) (int, bool) {
	if cursor == "" {
		return 0, true
	}
	b, err := base64.StdEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	k, n, ok := strings.Cut(string(b), ":")
	if !ok || k != kind {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i, err == nil && i >= 0
}

// pageOf reads a request's `limit` (def when absent or not positive, at
// most max) and `cursor`, and pages n items with them.
func pageOf(p params, kind string, def, max, n int) (from, to int, next string, ok bool) {
	limit := min(p.int("limit", def), max)
	if limit <= 0 {
		limit = def
	}
	return page(kind, p.get("cursor"), limit, n)
}

// page slices n items by cursor and limit; it returns the bounds and the
// next cursor ("" at the end), or ok=false for a bad cursor.
func page(kind, cursor string, limit, n int) (from, to int, next string, ok bool) {
	from, ok = decodeCursor(kind, cursor)
	if !ok {
		return 0, 0, "", false
	}
	from = min(from, n)
	to = n
	if limit > 0 && from+limit < n {
		to = from + limit
		next = encodeCursor(kind, to)
	}
	return from, to, next, true
}

func itoa(i int) string { return strconv.Itoa(i) }

func (s *Server) botID() string { return "B" + strings.TrimPrefix(s.opts.AppID, "A") }

func (s *Server) botName() string {
	if u, ok := s.users[s.opts.BotUserID]; ok {
		return u.Name
	}
	return "ritualbot"
}

func (s *Server) apiAuthTest(p params) map[string]any {
	return map[string]any{
		"url": s.baseURL() + "/", "team": "Fake Workspace", "user": s.botName(),
		"team_id": s.opts.TeamID, "user_id": s.opts.BotUserID, "bot_id": s.botID(),
		"is_enterprise_install": false,
	}
}

func (s *Server) apiConnectionsOpen(p params) map[string]any {
	ticket := randomHex(16)
	s.tickets[ticket] = true
	return map[string]any{"url": s.wsURL() + "/socket?ticket=" + ticket + "&app_id=" + s.opts.AppID}
}
