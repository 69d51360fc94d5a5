package demo

import (
	"slices"
	"testing"
)

// TestListRecursiveMatch: LIST (SUBSCRIBED RECURSIVEMATCH) lists exactly
// the entries of RFC 5258 section 5's examples: a parent only when a
// subscribed descendant is not listed itself, with CHILDINFO, and no
// other parent. (Attributes: the server adds \HasChildren or
// \HasNoChildren, which RFC 5258 allows without RETURN (CHILDREN).)
func TestListRecursiveMatch(t *testing.T) {
	tests := []struct {
		name       string
		mailboxes  []string
		subscribed []string
		deleted    []string // after subscribing: \NonExistent
		cmd        string
		want       []string
	}{
		{
			// RFC 5258 section 5, example 9.
			name:       "*2",
			mailboxes:  []string{"Foo2", "Foo2/Bar1", "Foo2/Bar2", "Baz2", "Baz2/Bar2", "Baz2/Bar22", "Baz2/Bar222", "Eps2", "Eps2/Mamba", "Qux2/Bar2"},
			subscribed: []string{"Foo2/Bar1", "Foo2/Bar2", "Baz2/Bar2", "Baz2/Bar22", "Baz2/Bar222", "Eps2", "Eps2/Mamba", "Qux2/Bar2"},
			cmd:        `LIST (SUBSCRIBED RECURSIVEMATCH) "" "*2"`,
			want: []string{
				`* LIST (\HasChildren) "/" Foo2 (CHILDINFO ("SUBSCRIBED"))`,
				`* LIST (\HasNoChildren \Subscribed) "/" Foo2/Bar2`,
				`* LIST (\HasNoChildren \Subscribed) "/" Baz2/Bar2`,
				`* LIST (\HasNoChildren \Subscribed) "/" Baz2/Bar22`,
				`* LIST (\HasNoChildren \Subscribed) "/" Baz2/Bar222`,
				`* LIST (\HasChildren \Subscribed) "/" Eps2 (CHILDINFO ("SUBSCRIBED"))`,
				`* LIST (\HasNoChildren \Subscribed) "/" Qux2/Bar2`,
			},
		},
		{
			// RFC 5258 section 5, the Fruit and Vegetable examples,
			// under t/.
			name:       "%",
			mailboxes:  []string{"t/Fruit", "t/Fruit/Apple", "t/Fruit/Banana", "t/Fruit/Peach", "t/Tofu", "t/Vegetable", "t/Vegetable/Broccoli", "t/Vegetable/Corn"},
			subscribed: []string{"t/Fruit/Banana", "t/Fruit/Peach", "t/Vegetable", "t/Vegetable/Broccoli"},
			deleted:    []string{"t/Fruit/Peach"},
			cmd:        `LIST (SUBSCRIBED RECURSIVEMATCH) "t/" "%"`,
			want: []string{
				`* LIST (\HasChildren) "/" t/Fruit (CHILDINFO ("SUBSCRIBED"))`,
				`* LIST (\HasChildren \Subscribed) "/" t/Vegetable (CHILDINFO ("SUBSCRIBED"))`,
			},
		},
		{
			name:       "% SUBSCRIBED alone",
			mailboxes:  []string{"t/Fruit", "t/Fruit/Apple", "t/Fruit/Banana", "t/Fruit/Peach", "t/Tofu", "t/Vegetable", "t/Vegetable/Broccoli", "t/Vegetable/Corn"},
			subscribed: []string{"t/Fruit/Banana", "t/Fruit/Peach", "t/Vegetable", "t/Vegetable/Broccoli"},
			deleted:    []string{"t/Fruit/Peach"},
			cmd:        `LIST (SUBSCRIBED) "t/" "*"`,
			want: []string{
				`* LIST (\HasNoChildren \Subscribed) "/" t/Fruit/Banana`,
				`* LIST (\NonExistent \Subscribed) "/" t/Fruit/Peach`,
				`* LIST (\HasChildren \Subscribed) "/" t/Vegetable`,
				`* LIST (\HasNoChildren \Subscribed) "/" t/Vegetable/Broccoli`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testServer(t)
			r := dialRaw(t, s)
			r.login()
			for _, m := range tt.mailboxes {
				r.ok("CREATE " + m)
			}
			for _, m := range tt.subscribed {
				r.ok("SUBSCRIBE " + m)
			}
			for _, m := range tt.deleted {
				r.ok("DELETE " + m)
			}
			// The RFC's order is not the server's (sorted).
			u := r.ok(tt.cmd)
			slices.Sort(u)
			slices.Sort(tt.want)
			if !slices.Equal(u, tt.want) {
				t.Errorf("%s:\n got %q\nwant %q", tt.cmd, u, tt.want)
			}
		})
	}
}
