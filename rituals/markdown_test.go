package rituals_test

import (
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestEscapeMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Checkout returns 500s", "Checkout returns 500s"},
		{"<!channel> db > 90% & rising", `\<!channel\> db \> 90% \& rising`},
		{"*bold* _it_ `code` [x](http://e)", "\\*bold\\* \\_it\\_ \\`code\\` \\[x\\](http://e)"},
		{"a | b ~c~", `a \| b \~c\~`},
		{"# not a heading\n- not a list\n1. not a list\n  + nor this", "\\# not a heading\n\\- not a list\n1\\. not a list\n  \\+ nor this"},
		{"v1.2 rolled back", "v1.2 rolled back"},
		{`C:\path`, `C:\\path`},
		{"rtl\u202eevil", "rtlevil"},
	} {
		if got := rituals.EscapeMarkdown(tc.in); got != tc.want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
