package client_test

// The interop suite: every client operation against a real IMAP server,
// each followed by a look at the server's state. It runs when
// IMAPWIRE_TEST_ADDR is set (`make interop` starts a private Dovecot and
// runs it over STARTTLS and over IMAPS) and skips otherwise. The variables:
//
//	IMAPWIRE_TEST_ADDR      host:port of the server
//	IMAPWIRE_TEST_SECURITY  tls (default), starttls or plain
//	IMAPWIRE_TEST_USER, IMAPWIRE_TEST_PASS
//	IMAPWIRE_TEST_INSECURE  1: do not verify the certificate (self-signed)
//	IMAPWIRE_TEST_CA_FILE   verify the certificate against this CA instead
//	IMAPWIRE_TEST_TLS_ADDR  optional IMAPS address besides a STARTTLS one
//
// The suite behaves as a guest on any server: it works only inside scratch
// folders it creates under the personal namespace (named
// imapwire-test-<test>-<random>) and deletes them, subfolders included, when
// each test ends. It reads other folders (LIST, STATUS of special-use
// folders) but never changes them.
//
// It asserts what RFC 3501 and its extensions require and the client's own
// contract, not what one server happens to do: where conforming servers
// differ (response codes, the personal namespace and delimiter, UIDNEXT on
// SELECT, 8-bit headers, FETCH after STORE .SILENT, quota permissions,
// ...; the README's "What varies between conforming servers"), a test
// detects the server's choice from capabilities, codes or what came back,
// checks that branch and logs it ("branch: ..." with -v). A test that needs
// an extension the server lacks skips, saying which; no other skip hides a
// failure. `make interop` also runs it against the demo server in its
// other-server mode (internal/demo's ModeOther), which takes the other
// branch wherever Dovecot takes one.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

var updateTranscript = flag.Bool("update-transcript", false,
	"TestInteropTranscript: write ../testdata/captures/interop-dovecot.txt (also IMAPWIRE_UPDATE_TRANSCRIPT=1)")

// TestInteropCapabilities checks CAPABILITY before and after login, and Has.
func TestInteropCapabilities(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)

	if e.Security == "starttls" {
		// Before STARTTLS the server offers it; after, it must not.
		c, err := client.Dial(ctx, e.Addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Capabilities(ctx); err != nil {
			t.Fatal(err)
		}
		if !c.Has("STARTTLS") {
			t.Error("cleartext connection: STARTTLS not advertised")
		}
		if err := c.StartTLS(ctx, e.tlsConfig(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Capabilities(ctx); err != nil {
			t.Fatal(err)
		}
		if c.Has("STARTTLS") {
			t.Error("STARTTLS still advertised after STARTTLS")
		}
	}

	c := e.dial(t, nil)
	pre, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatalf("CAPABILITY: %v", err)
	}
	t.Logf("before login: %v", pre)
	if !c.Has("IMAP4rev1") && !c.Has("IMAP4rev2") {
		t.Errorf("neither IMAP4rev1 nor IMAP4rev2 in %v", pre)
	}
	if c.Has("IMAP4rev1") && !c.Has("imap4REV1") {
		t.Error("Has is case-sensitive")
	}
	if c.Has("X-IMAPWIRE-NO-SUCH-CAPABILITY") {
		t.Error("Has reports a capability nobody advertises")
	}
	if c.Secure() && c.Has("STARTTLS") {
		t.Error("STARTTLS advertised on a TLS connection")
	}
	for _, cp := range pre {
		if !c.Has(cp) {
			t.Errorf("Capabilities lists %s but Has says no", cp)
		}
	}

	e.login(t, c)
	post, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatalf("CAPABILITY after login: %v", err)
	}
	t.Logf("after login: %v", post)
	// A server may change its capabilities with login, or not (RFC 3501
	// section 7.2.1 only says a client must not rely on the list staying
	// the same). The client's list must be the server's own after login,
	// whatever it is: ask the server directly.
	if fresh := serverCapabilities(t, c); !slices.Equal(post, fresh) {
		t.Errorf("after login the client has %v, the server says %v (the client kept a stale list?)", post, fresh)
	}
	if slices.Equal(pre, post) {
		t.Log("branch: the capabilities are the same before and after login")
	} else {
		t.Log("branch: login changed the capabilities")
	}
	for _, cp := range post {
		if !c.Has(cp) {
			t.Errorf("after login: Capabilities lists %s but Has says no", cp)
		}
	}
	for _, cp := range pre {
		if strings.HasPrefix(cp, "AUTH=") && !slices.Contains(post, cp) && c.Has(cp) {
			t.Errorf("Has(%s) still true after login", cp)
		}
	}
	if !slices.IsSorted(post) {
		t.Errorf("Capabilities not sorted: %v", post)
	}
}

// serverCapabilities sends CAPABILITY on c's connection, bypassing the
// client's list, and returns the server's answer as Capabilities returns
// a list: upper case, sorted.
func serverCapabilities(t *testing.T, c *client.Client) []string {
	t.Helper()
	ctx, cancel := opCtx()
	defer cancel()
	cmd, err := c.Conn().Send(ctx, &command.Spec{
		Name:  "CAPABILITY",
		Kinds: []string{"CAPABILITY"},
		Claim: func(r parser.Response) bool { _, ok := r.(*parser.Capability); return ok },
	})
	if err != nil {
		t.Fatalf("CAPABILITY: %v", err)
	}
	resps, _, err := cmd.Collect(ctx)
	if err != nil {
		t.Fatalf("CAPABILITY: %v", err)
	}
	var out []string
	for _, r := range resps {
		for _, cp := range r.(*parser.Capability).Caps {
			out = append(out, strings.ToUpper(cp))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestInteropTLS checks TLS in the configured security mode, each mode on
// its own with IMAPWIRE_TEST_ADDR: STARTTLS (the upgrade where the server
// offers it; on an IMAPS connection, that it is neither offered nor
// accepted), IMAPS (IMAPWIRE_TEST_ADDR in tls mode, and
// IMAPWIRE_TEST_TLS_ADDR besides in the other modes when set), and that
// the certificate is verified.
func TestInteropTLS(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	tlsAddr := e.TLSAddr
	if e.Security == "tls" {
		tlsAddr = e.Addr
	}

	// upgrade runs STARTTLS on a cleartext connection to e.Addr (skipped
	// when the server does not offer it) and logs in over TLS.
	upgrade := func(t *testing.T, cfg *tls.Config) {
		c, err := client.Dial(ctx, e.Addr, &client.Options{TLSConfig: cfg})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Capabilities(ctx); err != nil {
			t.Fatal(err)
		}
		requireCap(t, c, "STARTTLS")
		if c.Secure() {
			t.Error("Secure before STARTTLS")
		}
		if err := c.StartTLS(ctx, nil); err != nil {
			t.Fatalf("STARTTLS: %v", err)
		}
		if !c.Secure() {
			t.Error("not Secure after STARTTLS")
		}
		if err := c.StartTLS(ctx, nil); err == nil {
			t.Error("a second StartTLS succeeded")
		}
		if err := c.Login(ctx, e.User, e.Pass); err != nil {
			t.Fatalf("LOGIN after STARTTLS: %v", err)
		}
		if err := c.Noop(ctx); err != nil {
			t.Fatalf("NOOP: %v", err)
		}
		if err := c.Logout(ctx); err != nil {
			t.Fatalf("LOGOUT: %v", err)
		}
	}

	t.Run("STARTTLS", func(t *testing.T) {
		if e.Security != "tls" {
			upgrade(t, e.tlsConfig(t))
			return
		}
		// IMAPS: STARTTLS is neither offered (RFC 2595 section 3.1)
		// nor attempted by the client.
		c := e.dial(t, nil)
		if _, err := c.Capabilities(ctx); err != nil {
			t.Fatal(err)
		}
		if c.Has("STARTTLS") {
			t.Error("STARTTLS advertised on a TLS connection")
		}
		if err := c.StartTLS(ctx, nil); err == nil {
			t.Error("StartTLS on a TLS connection succeeded")
		}
		if err := c.Noop(ctx); err != nil {
			t.Fatalf("NOOP after the refused StartTLS: %v", err)
		}
	})
	if tlsAddr != "" {
		t.Run("IMAPS", func(t *testing.T) {
			c, err := client.DialTLS(ctx, tlsAddr, &client.Options{TLSConfig: e.tlsConfig(t)})
			if err != nil {
				t.Fatalf("DialTLS: %v", err)
			}
			defer c.Close()
			if !c.Secure() {
				t.Error("DialTLS: not Secure")
			}
			if err := c.StartTLS(ctx, nil); err == nil {
				t.Error("StartTLS on a TLS connection succeeded")
			}
			if err := c.Login(ctx, e.User, e.Pass); err != nil {
				t.Fatalf("LOGIN: %v", err)
			}
			if err := c.Noop(ctx); err != nil {
				t.Fatalf("NOOP: %v", err)
			}
			if err := c.Logout(ctx); err != nil {
				t.Fatalf("LOGOUT: %v", err)
			}
		})
	} else {
		t.Logf("no IMAPS address besides %s (%s): IMAPS not tested", e.Addr, e.Security)
	}
	t.Run("certificate verified", func(t *testing.T) {
		// The system's roots: a certificate that is self-signed
		// (IMAPWIRE_TEST_INSECURE) or from a private CA
		// (IMAPWIRE_TEST_CA_FILE) must fail verification, any other
		// must pass it.
		var err error
		switch e.Security {
		case "tls":
			var c *client.Client
			if c, err = client.DialTLS(ctx, e.Addr, nil); err == nil {
				c.Close()
			}
		default:
			var c *client.Client
			c, err = client.Dial(ctx, e.Addr, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Capabilities(ctx); err != nil {
				t.Fatal(err)
			}
			requireCap(t, c, "STARTTLS")
			err = c.StartTLS(ctx, &tls.Config{})
		}
		if !e.Insecure && e.CAFile == "" {
			t.Log("branch: a certificate from a public CA")
			if err != nil {
				t.Fatalf("TLS with the system's roots: %v", err)
			}
			return
		}
		t.Log("branch: a self-signed or private CA's certificate")
		var verr *tls.CertificateVerificationError
		if !errors.As(err, &verr) {
			t.Fatalf("TLS with the system's roots: got %v, want a certificate verification error", err)
		}
	})
}

// TestInteropLoginFailures checks a wrong password and the plaintext guard.
func TestInteropLoginFailures(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)

	t.Run("wrong password", func(t *testing.T) {
		var trace bytes.Buffer
		c := e.dialFresh(t, &client.Options{Trace: &trace})
		wrong := e.Pass + "-wrong"
		err := c.Login(ctx, e.User, wrong)
		if err == nil {
			t.Fatal("LOGIN with a wrong password succeeded")
		}
		// RFC 3501 section 6.2.3: a failed LOGIN is a NO; the
		// client's contract is a *StatusError of LOGIN. A response
		// code (RFC 5530's AUTHENTICATIONFAILED) is optional.
		if !errors.Is(err, command.ErrNo) {
			t.Errorf("errors.Is(%v, ErrNo) = false", err)
		}
		var se *command.StatusError
		if !errors.As(err, &se) || se.Command != "LOGIN" {
			t.Fatalf("error %T %v is not a *StatusError of LOGIN", err, err)
		}
		switch {
		case se.Resp.Code == nil:
			t.Logf("branch: NO without a response code: %v", err)
		case errors.Is(err, command.AUTHENTICATIONFAILED):
			t.Logf("branch: NO [AUTHENTICATIONFAILED]: %v", err)
		default:
			t.Logf("branch: NO with another code: %v", err)
		}
		// The connection survives the failure. (Logging in on it now
		// would wait for the server's penalty for the failure.)
		if err := c.Noop(ctx); err != nil {
			t.Fatalf("NOOP after the failed LOGIN: %v", err)
		}
		if caps, err := c.Capabilities(ctx); err != nil || len(caps) == 0 {
			t.Fatalf("CAPABILITY after the failed LOGIN: %v %v", caps, err)
		}
		if strings.Contains(trace.String(), wrong) || strings.Contains(trace.String(), e.Pass) {
			t.Error("the trace holds the password")
		}
	})

	t.Run("plaintext refused", func(t *testing.T) {
		var trace bytes.Buffer
		var c *client.Client
		if e.Security == "tls" {
			// No cleartext port here: the filter hides the TLS from
			// the client, which must then treat the connection as
			// cleartext.
			c = e.rawClient(t, &client.Options{Trace: &trace})
		} else {
			var err error
			c, err = client.Dial(ctx, e.Addr, &client.Options{Trace: &trace})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
		}
		if c.Secure() {
			t.Fatal("the connection claims to be secure")
		}
		err := c.Login(ctx, e.User, e.Pass)
		if !errors.Is(err, client.ErrPlaintext) {
			t.Fatalf("LOGIN over cleartext without AllowPlaintext: got %v, want ErrPlaintext", err)
		}
		if strings.Contains(trace.String(), " LOGIN ") || strings.Contains(trace.String(), e.Pass) {
			t.Errorf("LOGIN was sent:\n%s", trace.String())
		}
		if err := c.Noop(ctx); err != nil {
			t.Errorf("the connection is unusable after the refusal: %v", err)
		}
	})
}

// TestInteropNamespace checks NAMESPACE against LIST's delimiter.
func TestInteropNamespace(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	c := e.connect(t, nil)
	requireCap(t, c, "NAMESPACE")
	ns, err := c.Namespace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns.Personal) == 0 {
		t.Fatalf("no personal namespace: %+v", ns)
	}
	t.Logf("personal %+v, other %+v, shared %+v", ns.Personal, ns.Other, ns.Shared)
	l, err := c.List(ctx, "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 1 {
		t.Fatalf(`LIST "" "": %d responses, want 1`, len(l))
	}
	// The personal namespace may have an empty prefix (Dovecot) or one
	// such as "INBOX." (RFC 2342 section 5); either way the mailboxes in
	// it have its delimiter.
	p := ns.Personal[0]
	if p.Prefix == "" {
		t.Logf("branch: empty personal prefix, delimiter %q", p.Delim)
		if l[0].Delim != p.Delim {
			t.Errorf("NAMESPACE delimiter %q, LIST delimiter %q", p.Delim, l[0].Delim)
		}
		return
	}
	t.Logf("branch: personal prefix %q, delimiter %q", p.Prefix, p.Delim)
	for name, r := range listNames(t, c, p.Prefix+"%", nil) {
		if !strings.HasPrefix(name, p.Prefix) || r.Delim != p.Delim {
			t.Errorf("LIST %q: %q with delimiter %q, want names under the prefix with %q", p.Prefix+"%", name, r.Delim, p.Delim)
		}
	}
}

// listNames lists pattern and returns the names with their entries.
func listNames(t *testing.T, c *client.Client, pattern string, opts *client.ListOptions) map[string]client.ListResult {
	t.Helper()
	ctx, cancel := opCtx()
	defer cancel()
	l, err := c.List(ctx, "", pattern, opts)
	if err != nil {
		t.Fatalf("LIST %q: %v", pattern, err)
	}
	out := map[string]client.ListResult{}
	for _, r := range l {
		out[r.Name] = r
	}
	return out
}

func hasAttr(l client.ListResult, attr string) bool {
	return l.List != nil && slices.ContainsFunc(l.Attrs, func(a string) bool { return strings.EqualFold(a, attr) })
}

// TestInteropFolders checks CREATE, RENAME, DELETE, SUBSCRIBE, UNSUBSCRIBE,
// LIST (patterns, LIST-EXTENDED selection and RETURN options), LSUB and
// STATUS, with a non-ASCII folder name.
func TestInteropFolders(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	c := e.connect(t, nil)
	s := e.newScratch(t, c)
	if s.Delim == "" {
		t.Skip("flat namespace: no subfolders")
	}
	alpha, beta := s.Path("alpha"), s.Path("alpha", "beta")
	uni := s.Path("Entwürfe", "台北")
	for _, n := range []string{alpha, beta, uni} {
		if err := c.Create(ctx, n); err != nil {
			t.Fatalf("CREATE %q: %v", n, err)
		}
	}
	all := listNames(t, c, s.Base+s.Delim+"*", nil)
	for _, n := range []string{alpha, beta, uni} {
		if _, ok := all[n]; !ok {
			t.Errorf("LIST: %q missing from %v", n, keys(all))
		}
	}
	if l, ok := all[uni]; ok {
		if l.Raw == uni && !c.Has("UTF8=ACCEPT") {
			t.Errorf("non-ASCII name sent raw, not in modified UTF-7: %q", l.Raw)
		}
		if dec, err := wire.DecodeUTF7(l.Raw); err == nil && dec != uni {
			t.Errorf("Raw %q decodes to %q", l.Raw, dec)
		}
		if l.Delim != s.Delim {
			t.Errorf("delimiter %q, want %q", l.Delim, s.Delim)
		}
	}
	// % stops at the delimiter.
	top := listNames(t, c, s.Base+s.Delim+"%", nil)
	if _, ok := top[alpha]; !ok {
		t.Errorf("LIST %%: %q missing from %v", alpha, keys(top))
	}
	if _, ok := top[beta]; ok {
		t.Errorf("LIST %%: %q listed", beta)
	}

	t.Run("CREATE existing", func(t *testing.T) {
		// RFC 3501 section 6.3.3: an error, so NO; the code (RFC
		// 5530's ALREADYEXISTS) is optional.
		err := c.Create(ctx, alpha)
		var se *command.StatusError
		if !errors.As(err, &se) || !errors.Is(err, command.ErrNo) {
			t.Fatalf("CREATE of an existing folder: %v, want NO (a *StatusError)", err)
		}
		if errors.Is(err, command.ALREADYEXISTS) {
			t.Logf("branch: NO [ALREADYEXISTS]: %v", err)
		} else {
			t.Logf("branch: NO without [ALREADYEXISTS]: %v", err)
		}
	})

	t.Run("non-ASCII APPEND and STATUS", func(t *testing.T) {
		st, err := c.Status(ctx, uni, "MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN")
		if err != nil {
			t.Fatalf("STATUS %q: %v", uni, err)
		}
		if st.Name != uni || st.Messages == nil || *st.Messages != 0 {
			t.Fatalf("STATUS %q: %+v", uni, st)
		}
		msg := testMessage("in a non-ASCII folder", "Grüße")
		au := appendMsg(t, c, uni, msg, nil)
		st, err = c.Status(ctx, uni, "MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN")
		if err != nil {
			t.Fatal(err)
		}
		if *st.Messages != 1 || *st.Unseen != 1 {
			t.Errorf("after APPEND: MESSAGES %d UNSEEN %d, want 1 1", *st.Messages, *st.Unseen)
		}
		if au.UID != 0 && (*st.UIDNext != au.UID+1 || *st.UIDValidity != au.UIDValidity) {
			t.Errorf("STATUS UIDNEXT %d UIDVALIDITY %d, APPENDUID %d %d", *st.UIDNext, *st.UIDValidity, au.UIDValidity, au.UID)
		}
		mb, err := c.Select(ctx, uni)
		if err != nil {
			t.Fatalf("SELECT %q: %v", uni, err)
		}
		if mb.Name != uni || mb.Exists != 1 {
			t.Errorf("SELECT %q: %+v", uni, mb)
		}
		got := fetchAll(t, c, false, rng(1, 1), "BODY.PEEK[]")
		if len(got) != 1 || !bytes.Equal(got[0].Section("BODY[]"), msg) {
			t.Error("the message read back differs")
		}
		if err := c.Unselect(ctx); err != nil {
			t.Fatal(err)
		}
	})

	gamma := s.Path("gamma")
	t.Run("RENAME", func(t *testing.T) {
		if err := c.Rename(ctx, alpha, gamma); err != nil {
			t.Fatalf("RENAME: %v", err)
		}
		all := listNames(t, c, s.Base+s.Delim+"*", nil)
		for _, n := range []string{alpha, beta} {
			if _, ok := all[n]; ok {
				t.Errorf("%q still listed after RENAME", n)
			}
		}
		for _, n := range []string{gamma, s.Path("gamma", "beta")} {
			if _, ok := all[n]; !ok {
				t.Errorf("%q not listed after RENAME (children move along): %v", n, keys(all))
			}
		}
		// RFC 3501 section 6.3.5 calls it an error; a server may still
		// answer OK, having renamed nothing. The client reports what
		// the server said: a NO as a *StatusError, an OK as nil.
		delta := s.Path("delta")
		err := c.Rename(ctx, alpha, delta)
		var se *command.StatusError
		switch {
		case err == nil:
			_, listed := listNames(t, c, delta, nil)[delta]
			t.Logf("branch: RENAME of a folder that is gone answered OK (%q listed after: %v)", delta, listed)
		case errors.As(err, &se) && errors.Is(err, command.ErrNo):
			t.Logf("branch: RENAME of a folder that is gone answered NO: %v", err)
		default:
			t.Errorf("RENAME of a folder that is gone: %v, want NO (a *StatusError) or OK", err)
		}
	})

	t.Run("SUBSCRIBE and LSUB", func(t *testing.T) {
		if err := c.Subscribe(ctx, gamma); err != nil {
			t.Fatalf("SUBSCRIBE: %v", err)
		}
		if err := c.Subscribe(ctx, uni); err != nil {
			t.Fatalf("SUBSCRIBE %q: %v", uni, err)
		}
		subs, err := c.Lsub(ctx, "", s.Base+"*")
		if err != nil {
			t.Fatalf("LSUB: %v", err)
		}
		got := map[string]bool{}
		for _, l := range subs {
			got[l.Name] = true
			if l.Command != "LSUB" {
				t.Errorf("LSUB answered with %s", l.Command)
			}
		}
		if !got[gamma] || !got[uni] || got[s.Path("gamma", "beta")] {
			t.Errorf("LSUB: %v, want %q and %q only", got, gamma, uni)
		}
		if err := c.Unsubscribe(ctx, uni); err != nil {
			t.Fatalf("UNSUBSCRIBE: %v", err)
		}
		subs, _ = c.Lsub(ctx, "", s.Base+"*")
		for _, l := range subs {
			if l.Name == uni {
				t.Errorf("%q still subscribed after UNSUBSCRIBE", uni)
			}
		}
	})

	t.Run("LIST-EXTENDED", func(t *testing.T) {
		requireCap(t, c, "LIST-EXTENDED")
		opts := &client.ListOptions{ReturnSubscribed: true, ReturnChildren: true}
		if c.Has("SPECIAL-USE") {
			opts.ReturnSpecialUse = true
		}
		if c.Has("LIST-STATUS") {
			opts.ReturnStatus = []string{"MESSAGES", "UNSEEN", "UIDVALIDITY"}
		}
		all := listNames(t, c, s.Base+"*", opts)
		g, ok := all[gamma]
		if !ok {
			t.Fatalf("%q not listed: %v", gamma, keys(all))
		}
		if !hasAttr(g, `\Subscribed`) {
			t.Errorf("%q: no \\Subscribed in %v", gamma, g.Attrs)
		}
		if !hasAttr(g, `\HasChildren`) {
			t.Errorf("%q: no \\HasChildren in %v", gamma, g.Attrs)
		}
		if b := all[s.Path("gamma", "beta")]; !hasAttr(b, `\HasNoChildren`) || hasAttr(b, `\Subscribed`) {
			t.Errorf("%q: attributes %v", s.Path("gamma", "beta"), b.Attrs)
		}
		if u := all[uni]; hasAttr(u, `\Subscribed`) {
			t.Errorf("%q still \\Subscribed", uni)
		}
		if opts.ReturnStatus != nil {
			u := all[uni]
			if u.Status == nil || u.Status.Messages == nil || *u.Status.Messages != 1 || *u.Status.Unseen != 1 {
				t.Errorf("RETURN (STATUS): %q has %+v, want MESSAGES 1 UNSEEN 1", uni, u.Status)
			}
			if g.Status == nil || *g.Status.Messages != 0 {
				t.Errorf("RETURN (STATUS): %q has %+v, want MESSAGES 0", gamma, g.Status)
			}
		}
		// Selection option SUBSCRIBED: only gamma.
		sub := listNames(t, c, s.Base+"*", &client.ListOptions{SelectSubscribed: true})
		if len(sub) != 1 || !hasAttr(sub[gamma], `\Subscribed`) {
			t.Errorf("LIST (SUBSCRIBED): %v, want only %q", keys(sub), gamma)
		}
	})

	t.Run("DELETE", func(t *testing.T) {
		if err := c.Unsubscribe(ctx, gamma); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{s.Path("gamma", "beta"), gamma} {
			if err := c.Delete(ctx, n); err != nil {
				t.Fatalf("DELETE %q: %v", n, err)
			}
		}
		all := listNames(t, c, s.Base+s.Delim+"*", nil)
		if _, ok := all[gamma]; ok {
			t.Errorf("%q listed after DELETE", gamma)
		}
		if err := c.Delete(ctx, gamma); !errors.Is(err, command.ErrNo) {
			t.Errorf("DELETE of a deleted folder: %v, want NO", err)
		}
		if _, err := c.Status(ctx, gamma); !errors.Is(err, command.ErrNo) {
			t.Errorf("STATUS of a deleted folder: %v, want NO", err)
		}
	})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestInteropSpecialUse checks FindSpecial (and XLIST where offered)
// against the special-use attributes LIST reports. Read-only.
func TestInteropSpecialUse(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	c := e.connect(t, nil)

	// What the server says, from the attributes of every mailbox.
	opts := (*client.ListOptions)(nil)
	if c.Has("SPECIAL-USE") && c.Has("LIST-EXTENDED") {
		opts = &client.ListOptions{ReturnSpecialUse: true}
	}
	all := listNames(t, c, "*", opts)
	uses := []string{`\All`, `\Archive`, `\Drafts`, `\Flagged`, `\Junk`, `\Sent`, `\Trash`}
	want := map[string]string{}
	for _, name := range keys(all) {
		for _, u := range uses {
			if hasAttr(all[name], u) {
				if _, ok := want[u]; !ok {
					want[u] = name
				}
			}
		}
	}
	if len(want) == 0 {
		t.Log("branch: no mailbox has a special-use attribute: FindSpecial must find none")
	} else {
		t.Logf("branch: special-use mailboxes: %v", want)
	}

	t.Run("FindSpecial", func(t *testing.T) {
		for _, u := range uses {
			got, err := c.FindSpecial(ctx, u)
			if err != nil {
				t.Fatalf("FindSpecial(%s): %v", u, err)
			}
			if len(want) == 0 && c.Has("XLIST") {
				// Only XLIST has the attributes: what it says is
				// FindSpecial's answer.
				t.Logf("FindSpecial(%s) = %q (from XLIST)", u, got)
				continue
			}
			if got != want[u] {
				t.Errorf("FindSpecial(%s) = %q, want %q", u, got, want[u])
			}
		}
	})
	t.Run("LIST (SPECIAL-USE)", func(t *testing.T) {
		requireCap(t, c, "SPECIAL-USE", "LIST-EXTENDED")
		sel := listNames(t, c, "*", &client.ListOptions{SelectSpecialUse: true})
		for u, name := range want {
			if !hasAttr(sel[name], u) {
				t.Errorf("LIST (SPECIAL-USE): %q without %s: %v", name, u, sel[name].List)
			}
		}
		for name, l := range sel {
			if !slices.ContainsFunc(uses, func(u string) bool { return hasAttr(l, u) }) {
				t.Errorf("LIST (SPECIAL-USE) selected %q with no special use: %v", name, l.Attrs)
			}
		}
	})
	t.Run("XLIST", func(t *testing.T) {
		requireCap(t, c, "XLIST")
		l, err := c.XList(ctx, "", "*")
		if err != nil {
			t.Fatal(err)
		}
		if len(l) == 0 || l[0].Command != "XLIST" {
			t.Errorf("XLIST: %v", l)
		}
	})
}

// appendN appends messages with the given flags (one slice per message)
// and returns their APPENDUIDs.
func appendN(t *testing.T, c *client.Client, mailbox string, flags ...[]string) []client.AppendUID {
	t.Helper()
	var out []client.AppendUID
	for i, f := range flags {
		out = append(out, appendMsg(t, c, mailbox, testMessage(fmt.Sprintf("message %d", i+1), strings.Repeat("text ", i+1)),
			&client.AppendOptions{Flags: f}))
	}
	return out
}

func uidsOf(aus []client.AppendUID) []uint32 {
	var out []uint32
	for _, a := range aus {
		out = append(out, a.UID)
	}
	return out
}

// TestInteropSelect checks STATUS, SELECT and EXAMINE fields, UNSELECT and
// CLOSE.
func TestInteropSelect(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	c := e.connect(t, nil)
	s := e.newScratch(t, c)
	aus := appendN(t, c, s.Base, []string{`\Seen`}, nil, []string{`\Flagged`})
	requireUIDs := c.Has("UIDPLUS")

	st, err := c.Status(ctx, s.Base, "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN")
	if err != nil {
		t.Fatalf("STATUS: %v", err)
	}
	if *st.Messages != 3 || *st.Unseen != 2 || *st.Recent > 3 {
		t.Errorf("STATUS: MESSAGES %d UNSEEN %d RECENT %d, want 3 2 <=3", *st.Messages, *st.Unseen, *st.Recent)
	}
	if requireUIDs && (*st.UIDValidity != aus[0].UIDValidity || *st.UIDNext != aus[2].UID+1) {
		t.Errorf("STATUS: UIDVALIDITY %d UIDNEXT %d; APPENDUID %v", *st.UIDValidity, *st.UIDNext, aus)
	}

	mb, err := c.Select(ctx, s.Base)
	if err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	t.Logf("SELECT: %+v", *mb)
	if mb.Name != s.Base || mb.Exists != 3 || mb.Recent > 3 || mb.ReadOnly {
		t.Errorf("SELECT: %+v", mb)
	}
	if mb.UIDValidity != *st.UIDValidity {
		t.Errorf("SELECT: UIDVALIDITY %d, STATUS said %d", mb.UIDValidity, *st.UIDValidity)
	}
	// RFC 3501 section 6.3.1: UIDNEXT may be missing ("the client can
	// not make any assumptions"); the client then leaves UIDNext 0, and
	// STATUS has it.
	switch {
	case mb.UIDNext == 0:
		t.Logf("branch: no UIDNEXT in SELECT (STATUS says %d)", *st.UIDNext)
	case mb.UIDNext != *st.UIDNext:
		t.Errorf("SELECT: UIDNEXT %d, STATUS said %d", mb.UIDNext, *st.UIDNext)
	default:
		t.Logf("branch: UIDNEXT %d in SELECT", mb.UIDNext)
	}
	// FLAGS lists at least the system flags (RFC 3501 section 7.2.6), in
	// any order.
	for _, f := range []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`} {
		if !hasFlag(mb.Flags, f) {
			t.Errorf("FLAGS %v lacks %s", mb.Flags, f)
		}
	}
	// PERMANENTFLAGS may be missing: then every flag is permanent.
	switch {
	case mb.PermanentFlags == nil:
		t.Log("branch: no PERMANENTFLAGS in SELECT")
	case !hasFlag(mb.PermanentFlags, `\Seen`) && !hasFlag(mb.PermanentFlags, `\*`):
		t.Errorf("PERMANENTFLAGS %v in a read-write mailbox", mb.PermanentFlags)
	}
	if mb.Unseen != 0 && mb.Unseen != 2 {
		t.Errorf("UNSEEN %d, want 2 (the first unseen message)", mb.Unseen)
	}
	if sel := c.Selected(); sel == nil || sel.Exists != 3 || sel.Name != s.Base {
		t.Errorf("Selected() = %+v", sel)
	}

	t.Run("EXAMINE", func(t *testing.T) {
		mb, err := c.Examine(ctx, s.Base)
		if err != nil {
			t.Fatalf("EXAMINE: %v", err)
		}
		if !mb.ReadOnly || mb.Exists != 3 || mb.UIDValidity != *st.UIDValidity {
			t.Errorf("EXAMINE: %+v", mb)
		}
		// RFC 3501 section 6.3.2 permits no change in an EXAMINEd
		// mailbox: servers refuse STORE (NO or BAD) or ignore it (OK);
		// one widely deployed server stores anyway. Whatever the
		// server did, the client reports it: an error as a
		// *StatusError, the server's FETCH as Store's result.
		msgs, err := c.Store(ctx, rng(2, 2), client.AddFlags, false, `\Flagged`)
		after, ferr := c.GetFlags(ctx, false, rng(2, 2))
		if ferr != nil || len(after) != 1 {
			t.Fatalf("FETCH 2 FLAGS: %v %v", after, ferr)
		}
		stored := hasFlag(after[0].Flags, `\Flagged`)
		var se *command.StatusError
		switch {
		case err != nil:
			if !errors.As(err, &se) {
				t.Errorf("STORE in an EXAMINEd mailbox: %v, want a *StatusError or OK", err)
			}
			if stored {
				t.Errorf("STORE failed (%v) but the flags changed: %v", err, after[0].Flags)
			}
			t.Logf("branch: STORE refused: %v", err)
		case !stored:
			t.Log("branch: STORE answered OK and changed nothing")
		default:
			t.Log("branch: the server changed flags in an EXAMINEd mailbox (RFC 3501 section 6.3.2 permits no change)")
			if len(msgs) != 1 || !hasFlag(msgs[0].Flags, `\Flagged`) {
				t.Errorf("STORE changed the flags to %v but answered %+v", after[0].Flags, msgs)
			}
			// Undo, for the steps that follow.
			if _, err := c.Store(ctx, rng(2, 2), client.RemoveFlags, true, `\Flagged`); err != nil {
				t.Fatal(err)
			}
		}
		// FETCH BODY[] (not PEEK) must not set \Seen either.
		fetchAll(t, c, false, rng(2, 2), "BODY[]")
		st, _ := c.Status(ctx, s.Base, "UNSEEN")
		if *st.Unseen != 2 {
			t.Errorf("UNSEEN %d after FETCH BODY[] in an EXAMINEd mailbox, want 2", *st.Unseen)
		}
	})

	t.Run("UNSELECT", func(t *testing.T) {
		testUnselect(t, c, s, 3)
	})
	t.Run("UNSELECT fallback", func(t *testing.T) {
		f := e.dialHiding(t, nil, "UNSELECT")
		testUnselect(t, f, s, 3)
	})

	t.Run("CLOSE", func(t *testing.T) {
		if _, err := c.Select(ctx, s.Base); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Store(ctx, rng(2, 2), client.AddFlags, true, `\Deleted`); err != nil {
			t.Fatal(err)
		}
		if err := c.CloseMailbox(ctx); err != nil {
			t.Fatalf("CLOSE: %v", err)
		}
		if c.Selected() != nil {
			t.Error("Selected() not nil after CLOSE")
		}
		st, err := c.Status(ctx, s.Base, "MESSAGES")
		if err != nil {
			t.Fatal(err)
		}
		if *st.Messages != 2 {
			t.Errorf("MESSAGES %d after CLOSE with one \\Deleted, want 2", *st.Messages)
		}
	})
}

// testUnselect marks a message \Deleted, unselects, and checks that nothing
// was expunged and that no mailbox is selected any more.
func testUnselect(t *testing.T, c *client.Client, s *scratch, n uint32) {
	ctx := testCtx(t)
	if _, err := c.Select(ctx, s.Base); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(ctx, rng(1, 1), client.AddFlags, true, `\Deleted`); err != nil {
		t.Fatal(err)
	}
	if err := c.Unselect(ctx); err != nil {
		t.Fatalf("UNSELECT: %v", err)
	}
	if c.Selected() != nil {
		t.Error("Selected() not nil after UNSELECT")
	}
	f, err := c.Fetch(ctx, rng(1, 1), "UID")
	if err == nil {
		_, err = f.Collect(ctx)
	}
	if !errors.Is(err, command.ErrBad) && !errors.Is(err, command.ErrNo) {
		t.Errorf("FETCH after UNSELECT: %v, want BAD or NO (no mailbox selected)", err)
	}
	st, err := c.Status(ctx, s.Base, "MESSAGES")
	if err != nil {
		t.Fatal(err)
	}
	if *st.Messages != n {
		t.Errorf("MESSAGES %d after UNSELECT, want %d: UNSELECT expunged", *st.Messages, n)
	}
	// Undo the \Deleted for the next step.
	if _, err := c.Select(ctx, s.Base); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(ctx, rng(1, 1), client.RemoveFlags, true, `\Deleted`); err != nil {
		t.Fatal(err)
	}
	if err := c.Unselect(ctx); err != nil {
		t.Fatal(err)
	}
}

// withoutRecent drops \Recent, which only the server sets.
func withoutRecent(flags []string) []string {
	return slices.DeleteFunc(slices.Clone(flags), func(f string) bool { return strings.EqualFold(f, `\Recent`) })
}

func sameFlags(got []string, want ...string) bool {
	got = withoutRecent(got)
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !hasFlag(got, w) {
			return false
		}
	}
	return true
}

// TestInteropStore checks STORE and UID STORE (+FLAGS, -FLAGS, FLAGS,
// silent or not) by reading the flags back.
func TestInteropStore(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	c := e.connect(t, nil)
	s := e.newScratch(t, c)
	requireCap(t, c, "UIDPLUS")
	aus := appendN(t, c, s.Base, nil, nil, nil)
	u := uidsOf(aus)
	mb, err := c.Select(ctx, s.Base)
	if err != nil {
		t.Fatal(err)
	}
	keyword := ""
	if hasFlag(mb.PermanentFlags, `\*`) {
		keyword = "imapwire-kw"
	}

	// STORE 1 +FLAGS (\Flagged): the answer carries the new flags.
	msgs, err := c.Store(ctx, rng(1, 1), client.AddFlags, false, `\Flagged`)
	if err != nil {
		t.Fatalf("STORE +FLAGS: %v", err)
	}
	if len(msgs) != 1 || msgs[0].SeqNum != 1 || !sameFlags(msgs[0].Flags, `\Flagged`) {
		t.Errorf("STORE +FLAGS answered %+v", msgs)
	}
	if f := flagsOf(t, c, wire.SeqSetOf(u...)); !sameFlags(f[u[0]], `\Flagged`) || !sameFlags(f[u[1]]) {
		t.Errorf("after STORE 1 +FLAGS (\\Flagged): %v", f)
	}

	// UID STORE +FLAGS.SILENT: the flags change. The server may still
	// send FETCH responses: with CONDSTORE the new MODSEQ (RFC 7162
	// section 3.2), and changes from other sources always (RFC 3501
	// section 6.4.6); some servers send FLAGS too. What the client
	// returns must then agree with the flags read back.
	add := []string{`\Seen`, `\Answered`}
	if keyword != "" {
		add = append(add, keyword)
	}
	msgs, err = c.UIDStore(ctx, wire.SeqSetOf(u[1]), client.AddFlags, true, add...)
	if err != nil {
		t.Fatalf("UID STORE +FLAGS.SILENT: %v", err)
	}
	f1 := flagsOf(t, c, wire.SeqSetOf(u[1]))
	if !sameFlags(f1[u[1]], add...) {
		t.Errorf("after UID STORE +FLAGS.SILENT %v: %v", add, f1[u[1]])
	}
	if len(msgs) == 0 {
		t.Log("branch: UID STORE +FLAGS.SILENT answered without FETCH")
	} else {
		t.Logf("branch: UID STORE +FLAGS.SILENT answered with %d FETCH", len(msgs))
	}
	for _, m := range msgs {
		if m.UID != u[1] || m.Flags != nil && !sameFlags(m.Flags, add...) {
			t.Errorf("UID STORE +FLAGS.SILENT answered UID %d FLAGS %v, want UID %d and no FLAGS or %v", m.UID, m.Flags, u[1], add)
		}
	}

	// UID STORE -FLAGS (\Seen), not silent: the answer has the UID.
	msgs, err = c.UIDStore(ctx, wire.SeqSetOf(u[1]), client.RemoveFlags, false, `\Seen`)
	if err != nil {
		t.Fatalf("UID STORE -FLAGS: %v", err)
	}
	want := slices.DeleteFunc(slices.Clone(add), func(f string) bool { return f == `\Seen` })
	if len(msgs) != 1 || msgs[0].UID != u[1] || !sameFlags(msgs[0].Flags, want...) {
		t.Errorf("UID STORE -FLAGS answered %+v, want UID %d flags %v", msgs, u[1], want)
	}
	if f := flagsOf(t, c, wire.SeqSetOf(u[1])); !sameFlags(f[u[1]], want...) {
		t.Errorf("after UID STORE -FLAGS (\\Seen): %v", f[u[1]])
	}

	// STORE 1:* FLAGS (\Draft \Answered): every message, exactly these.
	msgs, err = c.Store(ctx, rng(1, 0), client.SetFlags, false, `\Draft`, `\Answered`)
	if err != nil {
		t.Fatalf("STORE FLAGS: %v", err)
	}
	if len(msgs) != 3 {
		t.Errorf("STORE 1:* FLAGS answered for %d messages, want 3", len(msgs))
	}
	for _, m := range msgs {
		if !sameFlags(m.Flags, `\Draft`, `\Answered`) {
			t.Errorf("STORE FLAGS answered %d: %v", m.SeqNum, m.Flags)
		}
	}
	for uid, f := range flagsOf(t, c, wire.SeqSetOf(u...)) {
		if !sameFlags(f, `\Draft`, `\Answered`) {
			t.Errorf("after STORE FLAGS: UID %d has %v", uid, f)
		}
	}

	// UID STORE FLAGS.SILENT (): clears everything (whatever FETCH the
	// server sends, the flags read back tell).
	if _, err := c.UIDStore(ctx, wire.SeqSetOf(u[0], u[2]), client.SetFlags, true); err != nil {
		t.Fatalf("UID STORE FLAGS.SILENT (): %v", err)
	}
	f := flagsOf(t, c, wire.SeqSetOf(u...))
	if !sameFlags(f[u[0]]) || !sameFlags(f[u[2]]) || !sameFlags(f[u[1]], `\Draft`, `\Answered`) {
		t.Errorf("after UID STORE FLAGS.SILENT () on %d,%d: %v", u[0], u[2], f)
	}

	// GetFlags by sequence number agrees.
	byseq, err := c.GetFlags(ctx, false, rng(2, 2))
	if err != nil || len(byseq) != 1 || byseq[0].UID != u[1] || !sameFlags(byseq[0].Flags, `\Draft`, `\Answered`) {
		t.Errorf("GetFlags(seq 2) = %+v, %v", byseq, err)
	}
}

// TestInteropExpunge checks EXPUNGE (the count drops, the right messages go)
// and UID EXPUNGE (only the given UIDs go).
func TestInteropExpunge(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	c := e.connect(t, nil)
	s := e.newScratch(t, c)
	requireCap(t, c, "UIDPLUS")
	u := uidsOf(appendN(t, c, s.Base, nil, nil, nil, nil, nil))
	if _, err := c.Select(ctx, s.Base); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(ctx, wire.SeqSetOf(2, 4), client.AddFlags, true, `\Deleted`); err != nil {
		t.Fatal(err)
	}
	seqs, err := c.Expunge(ctx)
	if err != nil {
		t.Fatalf("EXPUNGE: %v", err)
	}
	// Replay the reported sequence numbers on the list of UIDs.
	left := slices.Clone(u)
	for _, n := range seqs {
		if n == 0 || int(n) > len(left) {
			t.Fatalf("EXPUNGE reported %v for %d messages", seqs, len(u))
		}
		left = slices.Delete(left, int(n-1), int(n))
	}
	if want := []uint32{u[0], u[2], u[4]}; !slices.Equal(left, want) {
		t.Errorf("EXPUNGE reported %v: that leaves UIDs %v, want %v", seqs, left, want)
	}
	if sel := c.Selected(); sel == nil || sel.Exists != 3 {
		t.Errorf("Selected() after EXPUNGE: %+v, want 3 messages", sel)
	}
	if got := keys2(flagsOf(t, c, rng(1, 0))); !slices.Equal(got, []uint32{u[0], u[2], u[4]}) {
		t.Errorf("UIDs left on the server: %v", got)
	}

	t.Run("UID EXPUNGE", func(t *testing.T) {
		if _, err := c.UIDStore(ctx, wire.SeqSetOf(u[0], u[2], u[4]), client.AddFlags, true, `\Deleted`); err != nil {
			t.Fatal(err)
		}
		seqs, err := c.UIDExpunge(ctx, wire.SeqSetOf(u[2]))
		if err != nil {
			t.Fatalf("UID EXPUNGE: %v", err)
		}
		if !slices.Equal(seqs, []uint32{2}) {
			t.Errorf("UID EXPUNGE %d reported %v, want [2]", u[2], seqs)
		}
		f := flagsOf(t, c, rng(1, 0))
		if got := keys2(f); !slices.Equal(got, []uint32{u[0], u[4]}) {
			t.Errorf("UIDs left after UID EXPUNGE %d: %v", u[2], got)
		}
		for uid, fl := range f {
			if !hasFlag(fl, `\Deleted`) {
				t.Errorf("UID %d lost \\Deleted: %v", uid, fl)
			}
		}
		if sel := c.Selected(); sel == nil || sel.Exists != 2 {
			t.Errorf("Selected() after UID EXPUNGE: %+v, want 2 messages", sel)
		}
	})
}

func keys2[V any](m map[uint32]V) []uint32 {
	var out []uint32
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// bigMessage returns a message of exactly size bytes.
func bigMessage(size int) []byte {
	b := testMessage("one mebibyte", "")
	line := []byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,;:-_+*/=!?\r\n")
	for i := 0; len(b) < size; i++ {
		b = append(b, line...)
	}
	b = b[:size-2]
	return append(b, '\r', '\n')
}

// eightBitMessage returns a message whose body holds every byte from 0x01
// to 0xFF except CR and LF, in lines ending with CRLF.
func eightBitMessage() []byte {
	var body []byte
	for round := 0; round < 8; round++ {
		var line []byte
		for c := 1; c <= 0xff; c++ {
			if c == '\r' || c == '\n' {
				continue
			}
			line = append(line, byte((c+round*31)%255+1))
			if len(line) == 72 {
				body = append(body, line...)
				body = append(body, "\r\n"...)
				line = line[:0]
			}
		}
		body = append(body, bytes.ReplaceAll(bytes.ReplaceAll(line, []byte{'\r'}, []byte{'R'}), []byte{'\n'}, []byte{'N'})...)
		body = append(body, "\r\n"...)
	}
	body = bytes.ReplaceAll(body, []byte("\r\n"), []byte{0}) // protect real line ends
	body = bytes.ReplaceAll(body, []byte{'\r'}, []byte{'R'})
	body = bytes.ReplaceAll(body, []byte{'\n'}, []byte{'N'})
	body = bytes.ReplaceAll(body, []byte{0}, []byte("\r\n"))
	return testMessage("8-bit body \xe2\x9c\x93", string(body))
}

// TestInteropAppendFetch checks that APPEND then FETCH BODY.PEEK[] gives the
// message back (ASCII, 8-bit, 1 MiB streamed), that RFC822.SIZE is the
// size of what BODY[] returns, that APPENDUID is the UID FETCH's UID, that
// flags and INTERNALDATE stick, that APPEND to an EXAMINEd mailbox either
// works or fails cleanly, and that the client never sent a
// non-synchronizing literal the server did not advertise.
func TestInteropAppendFetch(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	watch := newTraceWatch()
	c := e.connect(t, &client.Options{Trace: watch})
	s := e.newScratch(t, c)
	date := time.Date(2013, 7, 13, 14, 15, 16, 0, time.FixedZone("", 2*3600))
	cases := []struct {
		name string
		msg  []byte
	}{
		{"ascii", testMessage("plain ASCII", "Hello, world.")},
		{"8-bit", eightBitMessage()},
		{"1MiB", bigMessage(1 << 20)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if bytes.IndexByte(tc.msg, 0) >= 0 {
				t.Fatal("test message has NUL")
			}
			// Not into the mailbox while it is EXAMINEd: some servers
			// refuse that (see "APPEND to the EXAMINEd mailbox").
			if c.Selected() != nil {
				if err := c.Unselect(ctx); err != nil {
					t.Fatal(err)
				}
			}
			au := appendMsg(t, c, s.Base, tc.msg, &client.AppendOptions{Flags: []string{`\Seen`, `\Draft`}, Date: date})
			mb, err := c.Examine(ctx, s.Base)
			if err != nil {
				t.Fatal(err)
			}
			var set wire.SeqSet
			uid := au.UID != 0
			if uid {
				if au.UIDValidity != mb.UIDValidity {
					t.Errorf("APPENDUID validity %d, mailbox %d", au.UIDValidity, mb.UIDValidity)
				}
				set = wire.SeqSetOf(au.UID)
			} else {
				set = wire.SeqSetOf(mb.Exists)
			}
			var f *client.FetchCommand
			items := []string{"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[]"}
			if uid {
				f, err = c.UIDFetch(ctx, set, items...)
			} else {
				f, err = c.Fetch(ctx, set, items...)
			}
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				m, err := f.Next(ctx)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("FETCH: %v", err)
				}
				n++
				var gotUID uint32
				size := int64(-1)
				var body []byte
				for {
					it, err := m.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("FETCH item: %v", err)
					}
					switch it := it.(type) {
					case *parser.UIDItem:
						gotUID = it.UID
					case *parser.FlagsItem:
						if !hasFlag(it.Flags, `\Seen`) || !hasFlag(it.Flags, `\Draft`) {
							t.Errorf("FLAGS %v, want \\Seen \\Draft", it.Flags)
						}
					case *parser.InternalDateItem:
						if !it.Time.Equal(date) {
							t.Errorf("INTERNALDATE %v, want %v", it.Time, date)
						}
					case *parser.SizeItem:
						size = it.Size
					case *parser.BodySectionItem:
						if it.Body == nil {
							t.Fatalf("BODY[] not streamed (Data %d bytes)", len(it.Data))
						}
						if body, err = io.ReadAll(it.Body); err != nil {
							t.Fatalf("reading BODY[]: %v", err)
						}
					}
				}
				if uid && gotUID != au.UID {
					t.Errorf("UID FETCH %d answered for UID %d", au.UID, gotUID)
				}
				// RFC 3501 section 2.3.4: the size is that of the
				// message as BODY[] returns it.
				if size != int64(len(body)) {
					t.Errorf("RFC822.SIZE %d, BODY[] has %d bytes", size, len(body))
				}
				checkStored(t, c, body, tc.msg)
			}
			if n != 1 {
				t.Errorf("FETCH returned %d messages, want 1", n)
			}
			// And again, collected.
			if uid {
				bodies := bodiesByUID(t, c, set)
				checkStored(t, c, bodies[au.UID], tc.msg)
			}
		})
	}

	t.Run("APPEND to the EXAMINEd mailbox", func(t *testing.T) {
		// RFC 3501 lets a client append to a mailbox it has EXAMINEd;
		// a server may still refuse (one answers "NO Current box is
		// selected READ-ONLY."). Either way the client reports it, and
		// the session goes on.
		if c.Selected() != nil {
			if err := c.Unselect(ctx); err != nil {
				t.Fatal(err)
			}
		}
		st0, err := c.Status(ctx, s.Base, "MESSAGES")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Examine(ctx, s.Base); err != nil {
			t.Fatal(err)
		}
		msg := testMessage("appended while EXAMINEd", "x")
		_, err = c.Append(ctx, s.Base, int64(len(msg)), bytes.NewReader(msg), nil)
		if err := c.Unselect(ctx); err != nil {
			t.Fatalf("UNSELECT after the APPEND: %v", err)
		}
		st1, serr := c.Status(ctx, s.Base, "MESSAGES")
		if serr != nil {
			t.Fatal(serr)
		}
		var se *command.StatusError
		switch {
		case err == nil:
			t.Log("branch: APPEND to the EXAMINEd mailbox accepted")
			if *st1.Messages != *st0.Messages+1 {
				t.Errorf("APPEND succeeded but MESSAGES went from %d to %d", *st0.Messages, *st1.Messages)
			}
		case errors.As(err, &se) && errors.Is(err, command.ErrNo):
			t.Logf("branch: APPEND to the EXAMINEd mailbox refused: %v", err)
			if *st1.Messages != *st0.Messages {
				t.Errorf("APPEND failed but MESSAGES went from %d to %d", *st0.Messages, *st1.Messages)
			}
		default:
			t.Errorf("APPEND to the EXAMINEd mailbox: %v, want OK or NO (a *StatusError)", err)
		}
	})

	checkLiterals(t, c, watch.String())
}

// checkStored compares a message as the server returned it (got) with the
// message appended (sent). The body must come back byte for byte. The
// header too when it is 7-bit or the server announced UTF8=ACCEPT (RFC
// 6855); otherwise a server may rewrite its 8-bit bytes (to "X", "?"),
// and only the 7-bit lines and the field names are compared.
func checkStored(t *testing.T, c *client.Client, got, sent []byte) {
	t.Helper()
	if bytes.Equal(got, sent) {
		if !is7bit(sent) {
			t.Log("branch: the 8-bit message came back unchanged")
		}
		return
	}
	sentHead, sentBody, _ := bytes.Cut(sent, []byte("\r\n\r\n"))
	gotHead, gotBody, ok := bytes.Cut(got, []byte("\r\n\r\n"))
	if !ok || !bytes.Equal(gotBody, sentBody) {
		t.Errorf("the message body differs: %d bytes back, %d sent (sha256 %x, %x)", len(got), len(sent), sha(got), sha(sent))
		return
	}
	if is7bit(sentHead) || c.Has("UTF8=ACCEPT") {
		t.Errorf("the header differs (7-bit or UTF8=ACCEPT):\n got %q\nwant %q", gotHead, sentHead)
		return
	}
	gotLines, sentLines := bytes.Split(gotHead, []byte("\r\n")), bytes.Split(sentHead, []byte("\r\n"))
	if len(gotLines) != len(sentLines) {
		t.Errorf("the 8-bit header came back with %d lines, %d sent:\n got %q\nwant %q", len(gotLines), len(sentLines), gotHead, sentHead)
		return
	}
	for i, sl := range sentLines {
		gl := gotLines[i]
		name, _, _ := bytes.Cut(sl, []byte(":"))
		switch {
		case is7bit(sl) && !bytes.Equal(gl, sl):
			t.Errorf("7-bit header line %q came back as %q", sl, gl)
		case !is7bit(sl) && !bytes.HasPrefix(gl, append(name, ':')):
			t.Errorf("8-bit header line %q came back as %q", sl, gl)
		case !is7bit(sl):
			t.Logf("branch: the server rewrote the 8-bit header line %q as %q", sl, gl)
		}
	}
}

// is7bit reports whether b has no byte of 0x80 or above.
func is7bit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// checkLiterals reads a trace and checks that the client sent
// non-synchronizing literals ({n+}) only as the server allows: any size
// with LITERAL+, up to 4096 bytes with LITERAL- (RFC 7888), none
// otherwise (a protocol violation there: the server reads the data as a
// command).
func checkLiterals(t *testing.T, c *client.Client, trace string) {
	t.Helper()
	plus, minus := c.Has("LITERAL+"), c.Has("LITERAL-")
	sync, nonSync := 0, 0
	for _, line := range strings.Split(trace, "\n") {
		if !strings.HasPrefix(line, "C: ") {
			continue
		}
		line = strings.TrimSuffix(line, "\r")
		if !strings.HasSuffix(line, "}") {
			continue
		}
		i := strings.LastIndexByte(line, '{')
		if i < 0 {
			continue
		}
		num, isPlus := strings.CutSuffix(line[i+1:len(line)-1], "+")
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			continue
		}
		if !isPlus {
			sync++
			continue
		}
		nonSync++
		if !plus && !(minus && n <= 4096) {
			t.Errorf("the client sent {%d+} to a server without LITERAL+ (LITERAL- %v): %q", n, minus, line)
		}
	}
	t.Logf("literals sent: %d synchronizing, %d non-synchronizing (LITERAL+ %v, LITERAL- %v)", sync, nonSync, plus, minus)
}

func sha(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

// TestInteropCopyMove checks COPY, UID COPY, MOVE and UID MOVE with their
// COPYUID, the destination's content and the source's, the TRYCREATE error,
// and Move's fallback for servers without MOVE.
func TestInteropCopyMove(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	c := e.connect(t, nil)
	s := e.newScratch(t, c)
	requireCap(t, c, "UIDPLUS")
	src, dst := s.Path("src"), s.Path("dst")
	for _, n := range []string{src, dst} {
		if err := c.Create(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	u := uidsOf(appendN(t, c, src, nil, []string{`\Flagged`}, nil, nil, nil, nil))
	if _, err := c.Select(ctx, src); err != nil {
		t.Fatal(err)
	}
	srcBodies := bodiesByUID(t, c, wire.SeqSetOf(u...))
	dstStatus, err := c.Status(ctx, dst, "UIDVALIDITY")
	if err != nil {
		t.Fatal(err)
	}
	dstValidity := *dstStatus.UIDValidity

	// copied maps a destination UID to the source UID whose body it must have.
	copied := map[uint32]uint32{}
	checkCopyUID := func(t *testing.T, what string, cu *client.CopyUID, srcUIDs []uint32) {
		t.Helper()
		if cu == nil {
			t.Fatalf("%s: no COPYUID", what)
		}
		if cu.UIDValidity != dstValidity {
			t.Errorf("%s: COPYUID validity %d, destination's is %d", what, cu.UIDValidity, dstValidity)
		}
		from, to := nums(cu.Source), nums(cu.Dest)
		if !slices.Equal(from, srcUIDs) || len(to) != len(from) {
			t.Errorf("%s: COPYUID %v -> %v, want source %v", what, cu.Source, cu.Dest, srcUIDs)
			return
		}
		for i := range from {
			copied[to[i]] = from[i]
		}
	}

	t.Run("COPY", func(t *testing.T) {
		cu, err := c.Copy(ctx, false, rng(1, 2), dst)
		if err != nil {
			t.Fatalf("COPY: %v", err)
		}
		checkCopyUID(t, "COPY 1:2", cu, u[:2])
		cu, err = c.Copy(ctx, true, wire.SeqSetOf(u[2]), dst)
		if err != nil {
			t.Fatalf("UID COPY: %v", err)
		}
		checkCopyUID(t, "UID COPY", cu, u[2:3])
		if sel := c.Selected(); sel.Exists != 6 {
			t.Errorf("source has %d messages after COPY, want 6", sel.Exists)
		}
	})
	t.Run("MOVE", func(t *testing.T) {
		requireCap(t, c, "MOVE")
		cu, err := c.Move(ctx, true, wire.SeqSetOf(u[3]), dst)
		if err != nil {
			t.Fatalf("UID MOVE: %v", err)
		}
		checkCopyUID(t, "UID MOVE", cu, u[3:4])
		if sel := c.Selected(); sel.Exists != 5 {
			t.Errorf("Selected().Exists = %d after UID MOVE, want 5", sel.Exists)
		}
		// MOVE 1: the message with UID u[0].
		cu, err = c.Move(ctx, false, rng(1, 1), dst)
		if err != nil {
			t.Fatalf("MOVE: %v", err)
		}
		checkCopyUID(t, "MOVE 1", cu, u[:1])
		if sel := c.Selected(); sel.Exists != 4 {
			t.Errorf("Selected().Exists = %d after MOVE, want 4", sel.Exists)
		}
		left := keys2(flagsOf(t, c, rng(1, 0)))
		if want := []uint32{u[1], u[2], u[4], u[5]}; !slices.Equal(left, want) {
			t.Errorf("source UIDs after MOVE: %v, want %v", left, want)
		}
	})
	t.Run("TRYCREATE", func(t *testing.T) {
		_, err := c.Copy(ctx, true, wire.SeqSetOf(u[1]), s.Path("missing"))
		if !errors.Is(err, command.ErrNo) {
			t.Fatalf("COPY to a missing folder: %v, want NO", err)
		}
		if !errors.Is(err, command.TRYCREATE) {
			t.Errorf("COPY to a missing folder: %v, want [TRYCREATE]", err)
		}
		if c.Has("MOVE") {
			if _, err := c.Move(ctx, true, wire.SeqSetOf(u[1]), s.Path("missing")); !errors.Is(err, command.TRYCREATE) {
				t.Errorf("MOVE to a missing folder: %v, want [TRYCREATE]", err)
			}
		}
	})
	t.Run("MOVE fallback", func(t *testing.T) {
		// The same server with MOVE hidden: COPY, STORE \Deleted and
		// UID EXPUNGE of exactly the moved messages.
		f := e.dialHiding(t, nil, "MOVE")
		if _, err := f.Select(ctx, src); err != nil {
			t.Fatal(err)
		}
		// Another \Deleted message that the fallback must not expunge.
		if _, err := f.UIDStore(ctx, wire.SeqSetOf(u[5]), client.AddFlags, true, `\Deleted`); err != nil {
			t.Fatal(err)
		}
		cu, err := f.Move(ctx, true, wire.SeqSetOf(u[4]), dst)
		if err != nil {
			t.Fatalf("Move (fallback, UIDs): %v", err)
		}
		checkCopyUID(t, "Move fallback", cu, u[4:5])
		// By sequence number: message 1 is u[1] if MOVE ran above.
		first := fetchAll(t, f, false, rng(1, 1), "UID")[0].UID
		cu, err = f.Move(ctx, false, rng(1, 1), dst)
		if err != nil {
			t.Fatalf("Move (fallback, sequence number): %v", err)
		}
		checkCopyUID(t, "Move fallback 1", cu, []uint32{first})
		left := flagsOf(t, f, rng(1, 0))
		if _, ok := left[u[5]]; !ok {
			t.Errorf("the fallback expunged UID %d, which it was not asked to move", u[5])
		}
		for _, gone := range []uint32{u[4], first} {
			if _, ok := left[gone]; ok {
				t.Errorf("UID %d still in the source after the fallback Move", gone)
			}
		}
		if sel := f.Selected(); sel == nil || sel.Exists != uint32(len(left)) {
			t.Errorf("Selected() = %+v, the server has %d messages", sel, len(left))
		}
		if _, err := f.UIDStore(ctx, wire.SeqSetOf(u[5]), client.RemoveFlags, true, `\Deleted`); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("MOVE without UIDPLUS", func(t *testing.T) {
		f := e.dialHiding(t, nil, "MOVE", "UIDPLUS")
		if _, err := f.Select(ctx, src); err != nil {
			t.Fatal(err)
		}
		before := f.Selected().Exists
		st0, _ := f.Status(ctx, dst, "MESSAGES")
		if _, err := f.Move(ctx, false, rng(1, 1), dst); err == nil {
			t.Fatal("Move without MOVE and UIDPLUS succeeded; it cannot avoid expunging other messages")
		}
		st1, _ := f.Status(ctx, dst, "MESSAGES")
		if *st0.Messages != *st1.Messages || f.Selected().Exists != before {
			t.Errorf("a refused Move changed the mailboxes: destination %d -> %d messages", *st0.Messages, *st1.Messages)
		}
	})

	// The destination holds every copied or moved message, byte for byte.
	if _, err := c.Examine(ctx, dst); err != nil {
		t.Fatal(err)
	}
	got := bodiesByUID(t, c, rng(1, 0))
	if len(got) != len(copied) {
		t.Errorf("destination has %d messages, %d were copied or moved", len(got), len(copied))
	}
	for d, sUID := range copied {
		if !bytes.Equal(got[d], srcBodies[sUID]) {
			t.Errorf("destination UID %d differs from source UID %d", d, sUID)
		}
	}
}

// TestInteropSearch checks SEARCH and UID SEARCH with flags, SUBJECT,
// SINCE, raw criteria as in the tutorial, Or/Not, and UTF-8 criteria; with
// ESEARCH and, through the filter, without. What every server must find:
// 7-bit text, and text in RFC 2047 encoded words searched in UTF-8 (or a
// NO for CHARSET UTF-8, which RFC 3501 section 6.4.4 allows). Raw UTF-8
// in a header is found only where the server kept those bytes (some
// rewrite them at APPEND): checked on that branch.
func TestInteropSearch(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	c := e.connect(t, nil)
	s := e.newScratch(t, c)
	requireCap(t, c, "UIDPLUS")
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	const rawSubject = "Grüße aus 台北"
	msgs := []struct {
		subject, body string
		date          time.Time
		flags         []string
	}{
		{"Pro Go", "An Apress book", day(2013, 7, 12), []string{`\Seen`}},
		{"Pro IMAP", "published by Apress", day(2013, 7, 14), []string{`\Flagged`}},
		{"Holiday", "nothing here", day(2013, 7, 14), nil},
		{rawSubject, "unicode subject, raw", day(2020, 1, 20), []string{`\Seen`, `\Flagged`}},
		{"=?UTF-8?Q?Entw=C3=BCrfe_f=C3=BCr_morgen?=", "encoded subject", day(2020, 1, 20), nil},
	}
	var uids []uint32
	for _, m := range msgs {
		au := appendMsg(t, c, s.Base, testMessage(m.subject, m.body), &client.AppendOptions{Flags: m.flags, Date: m.date})
		uids = append(uids, au.UID)
	}

	// Did the server keep the raw UTF-8 subject of message 4?
	if _, err := c.Examine(ctx, s.Base); err != nil {
		t.Fatal(err)
	}
	hdr := fetchAll(t, c, true, wire.SeqSetOf(uids[3]), "BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
	if len(hdr) != 1 {
		t.Fatalf("UID FETCH %d: %d messages", uids[3], len(hdr))
	}
	subject := hdr[0].Section("BODY[HEADER.FIELDS (SUBJECT)]")
	kept8bit := bytes.Contains(subject, []byte(rawSubject))
	if kept8bit {
		t.Log("branch: the server kept the raw UTF-8 header: raw UTF-8 searches checked")
	} else {
		t.Logf("branch: the server rewrote the raw UTF-8 header (%q): raw UTF-8 searches only checked to answer", subject)
	}

	// Kinds of case.
	const (
		any7bit = iota // 7-bit criteria: every server
		utf8           // UTF-8 criteria (CHARSET UTF-8): NO allowed
		raw8bit        // UTF-8 criteria on a raw 8-bit header: as utf8, and checked only if kept8bit
	)
	crit := func() *client.Criteria { return &client.Criteria{} }
	cases := []struct {
		name string
		kind int
		c    *client.Criteria
		want []int // 1-based message numbers
	}{
		{"ALL", any7bit, nil, []int{1, 2, 3, 4, 5}},
		{"SEEN", any7bit, crit().Flag(`\Seen`), []int{1, 4}},
		{"UNSEEN", any7bit, crit().Unseen(), []int{2, 3, 5}},
		{"FLAGGED", any7bit, crit().Flag(`\Flagged`), []int{2, 4}},
		{"SUBJECT", any7bit, crit().Subject("Pro"), []int{1, 2}},
		{"SINCE", any7bit, crit().Since(day(2013, 7, 13)), []int{2, 3, 4, 5}},
		{"BEFORE", any7bit, crit().Before(day(2013, 7, 13)), []int{1}},
		{"raw tutorial", any7bit, client.RawCriteria("SINCE 13-Jul-2013 TEXT Apress"), []int{2}},
		{"raw OR", any7bit, client.RawCriteria(`OR SUBJECT "Holiday" (SEEN FLAGGED)`), []int{3, 4}},
		{"Or", any7bit, crit().Or(crit().Subject("Holiday"), crit().Flag(`\Seen`)), []int{1, 3, 4}},
		{"Not", any7bit, crit().Not(crit().Flag(`\Seen`)).Subject("Pro"), []int{2}},
		{"7-bit word of an encoded subject", any7bit, crit().Subject("morgen"), []int{5}},
		{"UID", any7bit, crit().UID(wire.SeqSetOf(uids[1], uids[2])), []int{2, 3}},
		{"none", any7bit, crit().Text("imapwire-no-such-word"), nil},
		{"UTF-8 encoded word", utf8, crit().Subject("Entwürfe"), []int{5}},
		{"UTF-8 body", utf8, crit().Body("Grüße"), nil},
		{"raw UTF-8", raw8bit, client.RawCriteria("SUBJECT 台北"), []int{4}},
		{"UTF-8 raw header", raw8bit, crit().Subject("台北"), []int{4}},
	}
	run := func(t *testing.T, c *client.Client) {
		if _, err := c.Examine(ctx, s.Base); err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			for _, uid := range []bool{false, true} {
				var want []uint32
				for _, n := range tc.want {
					if uid {
						want = append(want, uids[n-1])
					} else {
						want = append(want, uint32(n))
					}
				}
				got, err := c.SearchNums(ctx, uid, tc.c)
				var se *command.StatusError
				switch {
				case err != nil && tc.kind != any7bit && errors.As(err, &se) && errors.Is(err, command.ErrNo):
					t.Logf("%s (uid %v): branch: a NO for UTF-8 criteria: %v", tc.name, uid, err)
				case err != nil:
					t.Errorf("%s (uid %v): %v", tc.name, uid, err)
				case tc.kind == raw8bit && !kept8bit:
					t.Logf("%s (uid %v): branch: header rewritten, found %v", tc.name, uid, got)
				case !slices.Equal(got, want):
					t.Errorf("%s (uid %v): got %v, want %v", tc.name, uid, got, want)
				}
			}
		}
	}
	t.Run("ESEARCH", func(t *testing.T) {
		requireCap(t, c, "ESEARCH")
		run(t, c)
	})
	t.Run("SEARCH", func(t *testing.T) {
		run(t, e.dialHiding(t, nil, "ESEARCH"))
	})
}

// TestInteropIdle checks that IDLE reports the EXISTS caused by a second
// connection's APPEND, with IDLE restarts, and with the NOOP polling used
// when the server has no IDLE.
func TestInteropIdle(t *testing.T) {
	e := interop(t)
	c0 := e.connect(t, nil)
	s := e.newScratch(t, c0)
	other := e.connect(t, nil)
	cases := []struct {
		name   string
		hide   []string
		opts   *client.IdleOptions
		starts int // IDLE commands to wait for before the APPEND
	}{
		{"IDLE", nil, nil, 1},
		{"restart", nil, &client.IdleOptions{Restart: 300 * time.Millisecond}, 2},
		{"NOOP polling", []string{"IDLE"}, &client.IdleOptions{Poll: 200 * time.Millisecond}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			updates := make(chan parser.Response, 1000)
			watch := newTraceWatch()
			opts := &client.Options{
				Trace: watch,
				Updates: func(r parser.Response) {
					select {
					case updates <- r:
					default:
					}
				},
			}
			var c *client.Client
			if tc.hide != nil {
				c = e.dialHiding(t, opts, tc.hide...)
			} else {
				c = e.connect(t, opts)
				requireCap(t, c, "IDLE")
			}
			mb, err := c.Select(ctx, s.Base)
			if err != nil {
				t.Fatal(err)
			}
			before := mb.Exists

			idleCtx, stop := context.WithCancel(ctx)
			defer stop()
			idleErr := make(chan error, 1)
			go func() { idleErr <- c.Idle(idleCtx, tc.opts) }()
			if tc.starts > 0 {
				wctx, cancel := context.WithTimeout(ctx, opTimeout)
				err := watch.waitContinuations(wctx, tc.starts)
				cancel()
				if err != nil {
					t.Fatalf("IDLE did not start: %v\n%s", err, watch)
				}
			}

			start := time.Now()
			appendMsg(t, other, s.Base, testMessage("new mail during IDLE", "hello"), nil)
			deadline := time.After(30 * time.Second) // Dovecot: about a second
			var got *parser.Exists
			for got == nil {
				select {
				case r := <-updates:
					if ex, ok := r.(*parser.Exists); ok && ex.Num > before {
						got = ex
					}
				case err := <-idleErr:
					t.Fatalf("Idle returned early: %v", err)
				case <-deadline:
					t.Fatalf("no EXISTS within 30s of the other connection's APPEND\n%s", watch)
				}
			}
			t.Logf("EXISTS %d after %v", got.Num, time.Since(start).Round(time.Millisecond))
			if got.Num != before+1 {
				t.Errorf("EXISTS %d, want %d", got.Num, before+1)
			}
			if sel := c.Selected(); sel == nil || sel.Exists != before+1 {
				t.Errorf("Selected() = %+v, want Exists %d", sel, before+1)
			}

			stop()
			select {
			case err := <-idleErr:
				if err != nil {
					t.Fatalf("Idle: %v", err)
				}
			case <-time.After(opTimeout):
				t.Fatal("Idle did not return after its context ended")
			}
			if err := c.Noop(ctx); err != nil {
				t.Fatalf("NOOP after IDLE: %v", err)
			}
			if n := len(fetchAll(t, c, false, rng(1, 0), "UID")); n != int(before+1) {
				t.Errorf("FETCH after IDLE: %d messages, want %d", n, before+1)
			}
			if tc.starts > 0 && !strings.Contains(watch.String(), "C: DONE\r\n") {
				t.Error("no DONE in the trace")
			}
		})
	}
}

// TestInteropMisc checks ID, ENABLE (CONDSTORE, QRESYNC with VANISHED),
// GETQUOTAROOT and GETQUOTA, NOOP (seeing another connection's change),
// CHECK and LOGOUT.
func TestInteropMisc(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	exists := make(chan struct{}, 1) // an EXISTS arrived (NOOP and CHECK)
	c := e.connect(t, &client.Options{Updates: func(r parser.Response) {
		if _, ok := r.(*parser.Exists); ok {
			select {
			case exists <- struct{}{}:
			default:
			}
		}
	}})
	s := e.newScratch(t, c)

	t.Run("ID", func(t *testing.T) {
		requireCap(t, c, "ID")
		params, err := c.ID(ctx, map[string]string{"name": "imapwire interop", "version": "1"})
		if err != nil {
			t.Fatalf("ID: %v", err)
		}
		t.Logf("server ID: %v", params)
		if os.Getenv("IMAPWIRE_DOVECOT_DIR") != "" && params["name"] != "Dovecot" {
			t.Errorf("ID name %q, want Dovecot", params["name"])
		}
		if _, err := c.ID(ctx, nil); err != nil {
			t.Fatalf("ID NIL: %v", err)
		}
	})

	t.Run("ENABLE CONDSTORE", func(t *testing.T) {
		requireCap(t, c, "ENABLE", "CONDSTORE")
		c := e.connect(t, nil)
		got, err := c.Enable(ctx, "CONDSTORE")
		if err != nil {
			t.Fatalf("ENABLE: %v", err)
		}
		if !slices.ContainsFunc(got, func(s string) bool { return strings.EqualFold(s, "CONDSTORE") }) {
			t.Errorf("ENABLE CONDSTORE enabled %v", got)
		}
		appendMsg(t, c, s.Base, testMessage("condstore", "x"), nil)
		mb, err := c.Select(ctx, s.Base)
		if err != nil {
			t.Fatal(err)
		}
		if mb.HighestModSeq == 0 || mb.NoModSeq {
			t.Errorf("SELECT after ENABLE CONDSTORE: HIGHESTMODSEQ %d NOMODSEQ %v", mb.HighestModSeq, mb.NoModSeq)
		}
		m := fetchAll(t, c, false, rng(1, 0), "UID", "MODSEQ")
		if len(m) == 0 || m[0].ModSeq == 0 {
			t.Errorf("FETCH MODSEQ: %+v", m)
		}
	})

	t.Run("ENABLE QRESYNC", func(t *testing.T) {
		requireCap(t, c, "ENABLE", "QRESYNC")
		c := e.connect(t, nil)
		got, err := c.Enable(ctx, "QRESYNC")
		if err != nil {
			t.Fatalf("ENABLE: %v", err)
		}
		if !slices.ContainsFunc(got, func(s string) bool { return strings.EqualFold(s, "QRESYNC") }) {
			t.Errorf("ENABLE QRESYNC enabled %v", got)
		}
		box := s.Path("qresync")
		if err := c.Create(ctx, box); err != nil {
			t.Fatal(err)
		}
		u := uidsOf(appendN(t, c, box, nil, nil, nil))
		if _, err := c.Select(ctx, box); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UIDStore(ctx, wire.SeqSetOf(u[1]), client.AddFlags, true, `\Deleted`); err != nil {
			t.Fatal(err)
		}
		// Under QRESYNC the server reports VANISHED instead of EXPUNGE.
		seqs, err := c.Expunge(ctx)
		if err != nil {
			t.Fatalf("EXPUNGE: %v", err)
		}
		if len(seqs) != 0 {
			t.Errorf("EXPUNGE under QRESYNC reported sequence numbers %v (want VANISHED)", seqs)
		}
		if sel := c.Selected(); sel == nil || sel.Exists != 2 {
			t.Errorf("Selected() after VANISHED: %+v, want Exists 2", sel)
		}
	})

	t.Run("QUOTA", func(t *testing.T) {
		requireCap(t, c, "QUOTA")
		// GETQUOTAROOT must parse, whatever the server answers (one
		// sends `* QUOTA "ROOT"` without the list RFC 2087 requires:
		// read leniently as an empty quota). GETQUOTA may be refused
		// to a normal user: a NO (*StatusError); the usage is then
		// read from GETQUOTAROOT's QUOTA.
		root, quotas, err := c.GetQuotaRoot(ctx, s.Base)
		if err != nil {
			t.Fatalf("GETQUOTAROOT: %v", err)
		}
		if root == nil || root.Name != s.Base {
			t.Fatalf("QUOTAROOT %+v for %q", root, s.Base)
		}
		t.Logf("roots %q, quotas %+v", root.Roots, quotas)
		for _, q := range quotas {
			if !slices.Contains(root.Roots, q.Root) {
				t.Errorf("QUOTA for %q, not a root QUOTAROOT named (%q)", q.Root, root.Roots)
			}
		}
		if len(root.Roots) == 0 {
			t.Log("branch: the folder has no quota root")
			return
		}
		name := root.Roots[0]
		getQuota := func() *parser.Quota {
			t.Helper()
			q, err := c.GetQuota(ctx, name)
			if err == nil {
				if q.Root != name {
					t.Fatalf("GETQUOTA %q answered %+v", name, q)
				}
				return q
			}
			var se *command.StatusError
			if !errors.As(err, &se) || !errors.Is(err, command.ErrNo) {
				t.Fatalf("GETQUOTA %q: %v, want QUOTA or NO (a *StatusError)", name, err)
			}
			return nil
		}
		usage := func(q *parser.Quota) (uint64, bool) {
			for _, r := range q.Resources {
				if strings.EqualFold(r.Name, "STORAGE") {
					return r.Usage, true
				}
			}
			return 0, false
		}
		quota := getQuota
		if getQuota() == nil {
			t.Logf("branch: GETQUOTA %q refused; the usage from GETQUOTAROOT", name)
			quota = func() *parser.Quota {
				t.Helper()
				_, quotas, err := c.GetQuotaRoot(ctx, s.Base)
				if err != nil {
					t.Fatalf("GETQUOTAROOT: %v", err)
				}
				for _, q := range quotas {
					if q.Root == name {
						return q
					}
				}
				return &parser.Quota{Root: name}
			}
		} else {
			t.Logf("branch: GETQUOTA %q answered", name)
		}
		u0, ok := usage(quota())
		if !ok {
			t.Logf("branch: no STORAGE resource in %q: the usage is not checked", name)
			return
		}
		appendMsg(t, c, s.Base, bigMessage(200<<10), nil)
		if u1, _ := usage(quota()); u1 < u0+150 {
			t.Errorf("STORAGE usage %d KiB after appending 200 KiB; was %d", u1, u0)
		}
	})

	t.Run("NOOP and CHECK", func(t *testing.T) {
		if err := c.Noop(ctx); err != nil {
			t.Fatalf("NOOP: %v", err)
		}
		mb, err := c.Select(ctx, s.Base)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Check(ctx); err != nil {
			t.Fatalf("CHECK: %v", err)
		}
		other := e.connect(t, nil)
		appendMsg(t, other, s.Base, testMessage("seen by NOOP", "x"), nil)
		// Servers report new mail on NOOP, once they noticed it (Dovecot:
		// within mailbox_idle_check_interval): NOOP until the EXISTS
		// arrives, at most 100 times.
		for i := 0; i < 100 && c.Selected().Exists == mb.Exists; i++ {
			if err := c.Noop(ctx); err != nil {
				t.Fatal(err)
			}
			if c.Selected().Exists != mb.Exists {
				break
			}
			select {
			case <-exists:
			case <-time.After(50 * time.Millisecond):
			}
		}
		if got := c.Selected().Exists; got != mb.Exists+1 {
			t.Errorf("Exists %d after the other connection's APPEND and NOOP, want %d", got, mb.Exists+1)
		}
	})

	t.Run("LOGOUT", func(t *testing.T) {
		c := e.dial(t, nil)
		if err := c.Login(ctx, e.User, e.Pass); err != nil {
			t.Fatal(err)
		}
		if err := c.Logout(ctx); err != nil {
			t.Fatalf("LOGOUT: %v", err)
		}
		err := c.Noop(ctx)
		if !errors.Is(err, command.ErrClosed) && !errors.Is(err, command.ErrBye) {
			t.Errorf("NOOP after LOGOUT: %v, want ErrClosed or ErrBye", err)
		}
		select {
		case <-c.Conn().Done():
		case <-time.After(opTimeout):
			t.Error("the connection is still open after LOGOUT")
		}
	})
}

// TestInteropPipelining issues many commands from goroutines at once on one
// connection and checks every result (run it with -race).
func TestInteropPipelining(t *testing.T) {
	e := interop(t)
	ctx := testCtx(t)
	watch := newTraceWatch()
	c := e.connect(t, &client.Options{Trace: watch})
	s := e.newScratch(t, c)
	requireCap(t, c, "UIDPLUS")
	var want [][]byte
	var uids []uint32
	for i := 0; i < 5; i++ {
		msg := testMessage(fmt.Sprintf("pipelined %d", i), strings.Repeat("pipelining ", 100*(i+1)))
		want = append(want, msg)
		uids = append(uids, appendMsg(t, c, s.Base, msg, &client.AppendOptions{Flags: []string{`\Seen`}}).UID)
	}
	other := s.Path("other")
	if err := c.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(ctx, s.Base); err != nil {
		t.Fatal(err)
	}

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 10*n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(4)
		go func() { // STATUS of the selected and of another folder
			defer wg.Done()
			<-start
			name, msgs := s.Base, uint32(5)
			if i%2 == 1 {
				name, msgs = other, 0
			}
			st, err := c.Status(ctx, name, "MESSAGES", "UIDNEXT")
			if err != nil {
				errs <- fmt.Errorf("STATUS %d: %w", i, err)
				return
			}
			if st.Name != name || *st.Messages != msgs {
				errs <- fmt.Errorf("STATUS %d: got %s MESSAGES %d, want %s %d", i, st.Name, *st.Messages, name, msgs)
			}
		}()
		go func() { // UID FETCH of every body
			defer wg.Done()
			<-start
			f, err := c.UIDFetch(ctx, wire.SeqSetOf(uids...), "UID", "BODY.PEEK[]")
			if err != nil {
				errs <- fmt.Errorf("UID FETCH %d: %w", i, err)
				return
			}
			msgs, err := f.Collect(ctx)
			if err != nil {
				errs <- fmt.Errorf("UID FETCH %d: %w", i, err)
				return
			}
			if len(msgs) != len(uids) {
				errs <- fmt.Errorf("UID FETCH %d: %d messages, want %d", i, len(msgs), len(uids))
			}
			for _, m := range msgs {
				k := slices.Index(uids, m.UID)
				if k < 0 || !bytes.Equal(m.Section("BODY[]"), want[k]) {
					errs <- fmt.Errorf("UID FETCH %d: wrong body for UID %d", i, m.UID)
				}
			}
		}()
		go func() { // UID SEARCH
			defer wg.Done()
			<-start
			got, err := c.SearchNums(ctx, true, (&client.Criteria{}).Subject(fmt.Sprintf("pipelined %d", i%5)))
			if err != nil {
				errs <- fmt.Errorf("SEARCH %d: %w", i, err)
				return
			}
			if !slices.Equal(got, []uint32{uids[i%5]}) {
				errs <- fmt.Errorf("SEARCH %d: %v, want [%d]", i, got, uids[i%5])
			}
		}()
		go func() { // FETCH FLAGS by sequence number
			defer wg.Done()
			<-start
			msgs, err := c.GetFlags(ctx, false, rng(uint32(i%5+1), uint32(i%5+1)))
			if err != nil {
				errs <- fmt.Errorf("FETCH FLAGS %d: %w", i, err)
				return
			}
			if len(msgs) != 1 || msgs[0].UID != uids[i%5] || !hasFlag(msgs[0].Flags, `\Seen`) {
				errs <- fmt.Errorf("FETCH FLAGS %d: %+v", i, msgs)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("at most %d commands in flight at once", maxInFlight(watch.String()))
}

// maxInFlight reads a trace and returns the largest number of tagged
// commands sent and not yet answered.
func maxInFlight(trace string) int {
	open := map[string]bool{}
	most := 0
	for _, line := range strings.Split(trace, "\r\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		switch f[0] {
		case "C:":
			if f[1] != "DONE" {
				open[f[1]] = true
			}
		case "S:":
			delete(open, f[1])
		}
		most = max(most, len(open))
	}
	return most
}

// TestInteropFetchCancel checks that a FETCH whose context ends mid-stream
// leaves the connection usable for the next command.
func TestInteropFetchCancel(t *testing.T) {
	e := interop(t)
	c := e.connect(t, nil)
	s := e.newScratch(t, c)
	var msgs [][]byte
	for i := 0; i < 3; i++ {
		msg := bigMessage(1<<20 + i)
		msgs = append(msgs, msg)
		appendMsg(t, c, s.Base, msg, nil)
	}
	ctx := testCtx(t)
	if _, err := c.Select(ctx, s.Base); err != nil {
		t.Fatal(err)
	}
	// check runs a command on a short leash and fetches everything again.
	check := func(t *testing.T) {
		t.Helper()
		nctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := c.Noop(nctx); err != nil {
			t.Fatalf("NOOP after the cancelled FETCH: %v", err)
		}
		got := fetchAll(t, c, false, rng(1, 0), "BODY.PEEK[]")
		if len(got) != len(msgs) {
			t.Fatalf("FETCH after the cancelled one: %d messages", len(got))
		}
		for i, m := range got {
			if !bytes.Equal(m.Section("BODY[]"), msgs[i]) {
				t.Errorf("message %d differs after the cancelled FETCH", i+1)
			}
		}
	}
	// startBody fetches every body and reads 1000 bytes of the first.
	startBody := func(t *testing.T, fctx context.Context) *client.FetchCommand {
		t.Helper()
		f, err := c.Fetch(fctx, rng(1, 0), "BODY.PEEK[]")
		if err != nil {
			t.Fatal(err)
		}
		m, err := f.Next(fctx)
		if err != nil {
			t.Fatal(err)
		}
		it, err := m.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, ok := it.(*parser.BodySectionItem)
		if !ok || b.Body == nil {
			t.Fatalf("first item %T, want a streamed body", it)
		}
		if _, err := io.ReadFull(b.Body, make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
		return f
	}

	// Each case stops the test when it fails: the connection is then
	// likely stuck, and the next cases would only wait for their timeouts.
	ok := t.Run("mid-body, then Next", func(t *testing.T) {
		fctx, cancel := context.WithTimeout(ctx, opTimeout)
		f := startBody(t, fctx)
		cancel()
		if _, err := f.Next(fctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Next after cancel: %v, want context.Canceled", err)
		}
		check(t)
	})
	ok = ok && t.Run("mid-body, then Close", func(t *testing.T) {
		fctx, cancel := context.WithTimeout(ctx, opTimeout)
		f := startBody(t, fctx)
		cancel()
		f.Close()
		check(t)
	})
	ok = ok && t.Run("between messages", func(t *testing.T) {
		fctx, cancel := context.WithTimeout(ctx, opTimeout)
		f, err := c.Fetch(fctx, rng(1, 0), "BODY.PEEK[]")
		if err != nil {
			t.Fatal(err)
		}
		m, err := f.Next(fctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Collect(fctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		// The next message may be queued already; the ended ctx wins.
		if _, err := f.Next(fctx); !isCtxErr(err) {
			t.Errorf("Next after cancel: %v, want the context's error", err)
		}
		check(t)
	})
	_ = ok && t.Run("before the answer", func(t *testing.T) {
		fctx, cancel := context.WithTimeout(ctx, opTimeout)
		f, err := c.Fetch(fctx, rng(1, 0), "BODY.PEEK[]")
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := f.Collect(fctx); !isCtxErr(err) {
			t.Errorf("Collect after cancel: %v", err)
		}
		check(t)
	})
}

// TestInteropTranscript records a session with Options.Trace and checks
// that it masks the password and parses strictly without an error. With
// -update-transcript (or IMAPWIRE_UPDATE_TRANSCRIPT=1) it writes it to
// testdata/captures/interop-dovecot.txt, the parser's golden input.
func TestInteropTranscript(t *testing.T) {
	e := interop(t)
	golden := filepath.Join("..", "testdata", "captures", "interop-dovecot.txt")
	if b, err := os.ReadFile(golden); err == nil && bytes.Contains(b, []byte(e.Pass)) {
		t.Errorf("%s contains the test password", golden)
	}

	ctx := testCtx(t)
	watch := newTraceWatch()
	exists := make(chan struct{}, 100)
	c := e.dial(t, &client.Options{Trace: watch, Updates: func(r parser.Response) {
		if _, ok := r.(*parser.Exists); ok {
			exists <- struct{}{}
		}
	}})
	if _, err := c.Capabilities(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx, e.User, e.Pass); err != nil {
		t.Fatal(err)
	}
	s := e.newScratch(t, c)
	sub := s.Path("Entwürfe")
	if err := c.Create(ctx, sub); err != nil {
		t.Fatal(err)
	}
	c.ID(ctx, map[string]string{"name": "imapwire"})
	c.List(ctx, "", s.Base+"*", nil)
	if c.Has("LIST-EXTENDED") && c.Has("LIST-STATUS") {
		c.List(ctx, "", s.Base+"*", &client.ListOptions{ReturnChildren: true, ReturnStatus: []string{"MESSAGES", "UNSEEN"}})
	}
	day := time.Date(2013, 7, 14, 12, 0, 0, 0, time.UTC)
	appendMsg(t, c, s.Base, testMessage("Pro IMAP", "published by Apress"), &client.AppendOptions{Date: day})
	appendMsg(t, c, s.Base, eightBitMessage(), &client.AppendOptions{Flags: []string{`\Seen`}, Date: day})
	appendMsg(t, c, s.Base, testMessage("Grüße aus 台北", "unicode"), &client.AppendOptions{Date: day})
	c.Status(ctx, s.Base)
	if _, err := c.Select(ctx, s.Base); err != nil {
		t.Fatal(err)
	}
	fetchAll(t, c, false, rng(1, 0), "UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY.PEEK[]")
	c.Store(ctx, rng(1, 1), client.AddFlags, false, `\Flagged`)
	c.SearchNums(ctx, true, client.RawCriteria("SINCE 13-Jul-2013 TEXT Apress"))
	c.SearchNums(ctx, false, (&client.Criteria{}).Subject("台北"))
	c.Copy(ctx, true, rng(1, 0), sub)
	if c.Has("MOVE") {
		c.Move(ctx, false, rng(3, 3), sub)
	}
	c.Store(ctx, rng(1, 1), client.AddFlags, true, `\Deleted`)
	c.Expunge(ctx)
	if c.Has("QUOTA") {
		c.GetQuotaRoot(ctx, s.Base)
	}
	if c.Has("IDLE") {
		// IDLE, and the EXISTS of a second connection's APPEND.
		idleCtx, stop := context.WithTimeout(ctx, opTimeout)
		done := make(chan error, 1)
		// Count before IDLE starts: a fast server's "+ idling" could
		// otherwise be counted already, and the wait below never end.
		n, _ := watch.continuations()
		go func() { done <- c.Idle(idleCtx, nil) }()
		if err := watch.waitContinuations(idleCtx, n+1); err != nil {
			t.Fatal(err)
		}
		other := e.connect(t, nil)
		appendMsg(t, other, s.Base, testMessage("new mail during IDLE", "hello"), &client.AppendOptions{Date: day})
		select {
		case <-exists:
		case <-idleCtx.Done():
			t.Error("no EXISTS during IDLE")
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	c.Check(ctx)
	c.Unselect(ctx)
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}

	b := []byte(watch.String())
	if bytes.Contains(b, []byte(e.Pass)) {
		t.Fatal("the trace contains the password")
	}
	if !bytes.Contains(b, []byte(" LOGIN ")) || !bytes.Contains(b, []byte("***")) {
		t.Errorf("no masked LOGIN in the trace")
	}
	// Every server response parses, strictly; a response that breaks the
	// grammar must be one the lenient parser accepts (README,
	// Leniencies), such as `* QUOTA "ROOT"` without its list.
	strictErrs, n := parseTranscript(t, b, true)
	if len(strictErrs) > 0 {
		lenientErrs, _ := parseTranscript(t, b, false)
		for _, err := range lenientErrs {
			t.Errorf("a response the lenient parser refuses too: %v", err)
		}
		for _, err := range strictErrs {
			t.Logf("branch: a response outside the grammar, accepted leniently: %v", err)
		}
	}
	t.Logf("transcript: %d bytes, %d responses, %d outside the grammar", len(b), n, len(strictErrs))

	if len(strictErrs) > 0 && (*updateTranscript || os.Getenv("IMAPWIRE_UPDATE_TRANSCRIPT") == "1") {
		t.Fatalf("not writing %s: it must parse strictly", golden)
	}
	if *updateTranscript || os.Getenv("IMAPWIRE_UPDATE_TRANSCRIPT") == "1" {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", golden)
	}
}

// parseTranscript parses the server's side of a transcript, strictly or
// leniently, and returns the syntax errors and the number of responses
// that parsed.
func parseTranscript(t *testing.T, b []byte, strict bool) ([]error, int) {
	t.Helper()
	pr := parser.NewReader(wire.NewTranscriptReader(bytes.NewReader(b)), &parser.Options{Strict: strict})
	var errs []error
	n := 0
	for {
		r, err := pr.Next()
		if err == io.EOF {
			return errs, n
		}
		if err != nil {
			var se *wire.SyntaxError
			if errors.As(err, &se) {
				errs = append(errs, fmt.Errorf("response %d: %w", n+len(errs)+1, err))
				continue
			}
			t.Fatalf("reading the transcript: %v", err)
		}
		if f, ok := r.(*parser.Fetch); ok {
			if _, err := f.Collect(); err != nil {
				errs = append(errs, fmt.Errorf("FETCH %d: %w", f.SeqNum, err))
				continue
			}
		}
		n++
	}
}

// BenchmarkDownload measures downloading a 10,000-message folder of about
// 20 KB per message with UID FETCH 1:* (BODY.PEEK[]): "imapwire" through
// the client, each body streamed into io.Discard, and "raw" with
// hand-written bytes on a bare connection reading the response into
// io.Discard (the floor). Both report MB/s of message bytes. It needs a
// server (IMAPWIRE_TEST_ADDR); see `make bench-interop`. The folder is
// filled once per run of the benchmark, with pipelined APPENDs.
func BenchmarkDownload(b *testing.B) {
	e := interop(b)
	c := e.connect(b, nil)
	s := e.newScratch(b, c)
	const count, size = 10000, 20000
	msg := bigMessage(size)
	total := int64(count * size)
	ctx := context.Background()

	// Fill the folder: APPENDs of batches of messages (MULTIAPPEND, RFC
	// 3502, where offered: the server then updates its indexes once per
	// batch, not per message), pipelined on a few connections, with
	// LITERAL+ where offered (the client's default then).
	t0 := time.Now()
	batch := 1
	if c.Has("MULTIAPPEND") {
		batch = 100
	}
	const conns, perConn = 2, 4
	var wg sync.WaitGroup
	var failed sync.Once
	var appendErr error
	work := make(chan int)
	for range conns {
		ac := e.connect(b, nil)
		for range perConn {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range work {
					args := []command.Arg{command.Mailbox(s.Base)}
					for range n {
						args = append(args, command.Literal{Size: int64(len(msg)), R: bytes.NewReader(msg)})
					}
					cmd, err := ac.Conn().Send(ctx, &command.Spec{Name: "APPEND", Args: args})
					if err == nil {
						_, err = cmd.Wait(ctx)
					}
					if err != nil {
						failed.Do(func() { appendErr = err })
					}
				}
			}()
		}
	}
	for left := count; left > 0; left -= batch {
		work <- min(batch, left)
	}
	close(work)
	wg.Wait()
	if appendErr != nil {
		b.Fatal(appendErr)
	}
	b.Logf("appended %d messages of %d bytes in %v", count, size, time.Since(t0).Round(time.Millisecond))
	mb, err := c.Select(ctx, s.Base)
	if err != nil || mb.Exists != count {
		b.Fatalf("SELECT: %+v, %v", mb, err)
	}

	// The raw connection, logged in, with the folder selected; one
	// download on it, untimed, warms the server's caches for both.
	nc, br := e.rawDial(b)
	rawCommand(b, nc, br, "r1", "LOGIN "+rawQuote(e.User)+" "+rawQuote(e.Pass))
	rawCommand(b, nc, br, "r2", "EXAMINE "+rawQuote(wireMailbox(s.Base)))
	rawCommand(b, nc, br, "r3", "UID FETCH 1:* (BODY.PEEK[])")

	b.Run("imapwire", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			f, err := c.UIDFetch(ctx, rng(1, 0), "BODY.PEEK[]")
			if err != nil {
				b.Fatal(err)
			}
			var got int64
			for {
				m, err := f.Next(ctx)
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				for {
					it, err := m.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if body, ok := it.(*parser.BodySectionItem); ok {
						n, err := io.Copy(io.Discard, body.Body)
						if err != nil {
							b.Fatal(err)
						}
						got += n
					}
				}
			}
			if got != total {
				b.Fatalf("downloaded %d bytes, want %d", got, total)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			if _, err := io.WriteString(nc, "r4 UID FETCH 1:* (BODY.PEEK[])\r\n"); err != nil {
				b.Fatal(err)
			}
			if line, err := rawReadTagged(br, "r4"); err != nil || !strings.HasPrefix(line, "r4 OK") {
				b.Fatalf("%q %v", line, err)
			}
		}
	})
	io.WriteString(nc, "r5 LOGOUT\r\n")
}

// wireMailbox encodes a mailbox name as the client would.
func wireMailbox(name string) string {
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	w.Mailbox(name)
	w.Flush()
	s := buf.String()
	return strings.Trim(s, `"`)
}
