package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/internal/demo"
)

// TestPersonalName: names in the personal namespace, on a server whose
// namespace is "" with "/" and on one whose namespace is "INBOX." with "."
// (where a top-level CREATE is refused); a part holding the delimiter is
// refused.
func TestPersonalName(t *testing.T) {
	for _, tt := range []struct {
		mode demo.Mode
		want string
	}{
		{demo.ModeDovecot, "Personal/旅行"},
		{demo.ModeOther, "INBOX.Personal.旅行"},
	} {
		t.Run(string(tt.mode), func(t *testing.T) {
			srv, err := demo.Listen("127.0.0.1:0", &demo.Options{Mode: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			ctx := context.Background()
			c, err := client.Dial(ctx, srv.Addr().String(), &client.Options{AllowPlaintext: true})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Login(ctx, "demo", "demo"); err != nil {
				t.Fatal(err)
			}
			name, err := c.PersonalName(ctx, "Personal", "旅行")
			if err != nil || name != tt.want {
				t.Fatalf("PersonalName = %q, %v; want %q", name, err, tt.want)
			}
			parent, _ := c.PersonalName(ctx, "Personal")
			for _, n := range []string{parent, name} {
				if err := c.Create(ctx, n); err != nil {
					t.Fatalf("CREATE %q: %v", n, err)
				}
			}
			delim := tt.want[len(tt.want)-len("旅行")-1 : len(tt.want)-len("旅行")]
			if _, err := c.PersonalName(ctx, "a"+delim+"b"); err == nil || !strings.Contains(err.Error(), "delimiter") {
				t.Errorf("a part holding %q: %v, want an error", delim, err)
			}
		})
	}
}
