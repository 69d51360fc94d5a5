package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/imapwire/imapwire/command"
)

// Authenticate authenticates with a SASL mechanism (AUTHENTICATE, RFC 3501
// section 6.2.2), sending the initial response on the command line when the
// server offers SASL-IR (RFC 4959). The exchange's payloads are masked in
// the trace. A refused credential is a *command.StatusError matching
// command.AUTHENTICATIONFAILED where the server sends the code; an error
// the mechanism itself reports (such as an *OAuthError) is returned instead
// when there is one. Capabilities are refreshed afterwards.
func (c *Client) Authenticate(ctx context.Context, mech SASL) error {
	if !c.secure && !c.opts.AllowPlaintext {
		return ErrPlaintext
	}
	if !c.capsKnown() {
		if err := c.refreshCaps(ctx); err != nil {
			return err
		}
	}
	if !c.Has("AUTH=" + mech.Name()) {
		return fmt.Errorf("imap: server does not offer AUTH=%s", mech.Name())
	}
	ir, err := mech.Start()
	if err != nil {
		return err
	}
	args := []command.Arg{command.Atom(mech.Name())}
	sentIR := false
	if c.Has("SASL-IR") && ir != nil {
		enc := "="
		if len(ir) > 0 {
			enc = base64.StdEncoding.EncodeToString(ir)
		}
		args = append(args, command.Secret{Arg: command.Raw(enc)})
		sentIR = true
	}
	var mechErr error
	first := true
	_, status, err := c.run(ctx, &command.Spec{
		Name:               "AUTHENTICATE",
		Args:               args,
		Barrier:            true,
		SecretContinuation: true,
		Continue: func(ctx context.Context, text string) ([]byte, error) {
			if first && !sentIR && ir != nil {
				// The server asks for the initial response with an
				// empty challenge.
				first = false
				return encodeSASL(ir), nil
			}
			first = false
			challenge, err := base64.StdEncoding.DecodeString(text)
			if err != nil {
				mechErr = fmt.Errorf("imap: AUTHENTICATE: challenge is not base64: %w", err)
				return []byte("*"), nil
			}
			resp, err := mech.Next(challenge)
			if err != nil {
				mechErr = err
				if resp == nil {
					return []byte("*"), nil // cancel the exchange
				}
			}
			return encodeSASL(resp), nil
		},
	})
	if err != nil {
		var se *command.StatusError
		if mechErr != nil && errors.As(err, &se) {
			return errors.Join(mechErr, err)
		}
		return err
	}
	return c.afterAuth(ctx, status)
}

func encodeSASL(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out
}
