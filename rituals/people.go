package rituals

import "context"

// UserInfo is what Slack says about a member that rituals care about.
type UserInfo struct {
	ID          string
	Name        string // the name people see: display name, else full name
	RealName    string // the full name, "" if unknown
	TZ          string // IANA zone, "" if unknown
	StatusText  string
	StatusEmoji string
	Deleted     bool
	Bot         bool
}

// Directory tells about workspace members. The adapter caches it: one
// users.list serves a whole fan-out.
type Directory interface {
	Users(ctx context.Context) (map[string]UserInfo, error)
}
