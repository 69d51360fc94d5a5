package client

import (
	"context"
	"strings"

	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
)

// ID exchanges identification with the server (RFC 2971). params may be nil
// (sent as NIL); the server's parameters are returned (nil for NIL).
func (c *Client) ID(ctx context.Context, params map[string]string) (map[string]string, error) {
	var arg command.Arg = command.Atom("NIL")
	if len(params) > 0 {
		var list command.List
		for _, k := range sortedKeys(params) {
			list = append(list, command.String(k), command.String(params[k]))
		}
		arg = list
	}
	resps, _, err := c.run(ctx, &command.Spec{Name: "ID", Args: []command.Arg{arg}, Kinds: []string{"ID"}, Claim: isType[*parser.ID]})
	if err != nil {
		return nil, err
	}
	for _, r := range resps {
		if id, ok := r.(*parser.ID); ok {
			return id.Params, nil
		}
	}
	return nil, nil
}

// Enable enables extensions (RFC 5161), such as "CONDSTORE", "QRESYNC" or
// "UTF8=ACCEPT", and returns those the server enabled.
func (c *Client) Enable(ctx context.Context, caps ...string) ([]string, error) {
	var args []command.Arg
	for _, s := range caps {
		args = append(args, command.Atom(s))
	}
	resps, _, err := c.run(ctx, &command.Spec{Name: "ENABLE", Args: args, Barrier: true, Kinds: []string{"ENABLED"}, Claim: isType[*parser.Enabled]})
	if err != nil {
		return nil, err
	}
	var out []string
	c.mu.Lock()
	if c.enabled == nil {
		c.enabled = map[string]bool{}
	}
	for _, r := range resps {
		if e, ok := r.(*parser.Enabled); ok {
			for _, s := range e.Caps {
				c.enabled[strings.ToUpper(s)] = true
				out = append(out, s)
			}
		}
	}
	c.mu.Unlock()
	return out, nil
}

// GetQuota returns the resources of a quota root (RFC 9208).
func (c *Client) GetQuota(ctx context.Context, root string) (*parser.Quota, error) {
	resps, _, err := c.run(ctx, &command.Spec{Name: "GETQUOTA", Args: []command.Arg{command.AString(root)}, Kinds: []string{"QUOTA"}, Claim: isType[*parser.Quota]})
	if err != nil {
		return nil, err
	}
	for _, r := range resps {
		if q, ok := r.(*parser.Quota); ok {
			return q, nil
		}
	}
	return &parser.Quota{Root: root}, nil
}

// GetQuotaRoot returns the quota roots of a mailbox and their quotas.
func (c *Client) GetQuotaRoot(ctx context.Context, mailbox string) (*parser.QuotaRoot, []*parser.Quota, error) {
	resps, _, err := c.run(ctx, &command.Spec{
		Name:  "GETQUOTAROOT",
		Args:  []command.Arg{command.Mailbox(mailbox)},
		Kinds: []string{"QUOTA", "QUOTAROOT"},
		Claim: func(r parser.Response) bool { return isType[*parser.Quota](r) || isType[*parser.QuotaRoot](r) },
	})
	if err != nil && !partial(err) {
		return nil, nil, err
	}
	var root *parser.QuotaRoot
	var quotas []*parser.Quota
	for _, r := range resps {
		switch r := r.(type) {
		case *parser.QuotaRoot:
			root = r
		case *parser.Quota:
			quotas = append(quotas, r)
		}
	}
	return root, quotas, err
}

// Raw sends a command this package has no method for and returns the
// untagged responses named in kinds (such as "THREAD" or "SORT") and the
// tagged status. Arguments are encoded safely (see command.Arg).
func (c *Client) Raw(ctx context.Context, name string, kinds []string, args ...command.Arg) ([]parser.Response, *parser.StatusResponse, error) {
	claim := func(r parser.Response) bool {
		for _, k := range kinds {
			if r.ResponseType() == k {
				return true
			}
		}
		return false
	}
	return c.run(ctx, &command.Spec{Name: name, Args: args, Kinds: kinds, Claim: claim, Barrier: true})
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
