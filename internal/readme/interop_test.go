package readme

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
	"time"

	"github.com/imapwire/imapwire/client"
)

// TestREADMETutorialInterop runs the README's tutorial function against the
// real server of the interop environment (scripts/dovecot.sh; IMAPS at
// IMAPWIRE_TEST_TLS_ADDR, verified with IMAPWIRE_TEST_CA_FILE), where its
// output differs from the demo server's: only its success and its cleaning
// up are checked. Without that server it is skipped.
func TestREADMETutorialInterop(t *testing.T) {
	addr, user, pass := os.Getenv("IMAPWIRE_TEST_TLS_ADDR"), os.Getenv("IMAPWIRE_TEST_USER"), os.Getenv("IMAPWIRE_TEST_PASS")
	if addr == "" || user == "" || pass == "" {
		t.Skip("IMAPWIRE_TEST_TLS_ADDR, IMAPWIRE_TEST_USER and IMAPWIRE_TEST_PASS are not all set (make interop sets them)")
	}
	cfg := &tls.Config{InsecureSkipVerify: os.Getenv("IMAPWIRE_TEST_INSECURE") == "1"}
	if f := os.Getenv("IMAPWIRE_TEST_CA_FILE"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cfg = &tls.Config{RootCAs: x509.NewCertPool()}
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			t.Fatalf("IMAPWIRE_TEST_CA_FILE %s: no certificate", f)
		}
	}
	opts := &client.Options{TLSConfig: cfg}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	err := tutorial(ctx, addr, user, pass, opts) // its output goes to stdout, unchecked
	if err != nil {
		t.Fatal(err)
	}

	c, err := client.DialTLS(ctx, addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, user, pass); err != nil {
		t.Fatal(err)
	}
	left, err := c.List(ctx, "", "imapwire 台北", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("the tutorial's folder is still there: %v", left[0].List)
	}
}
