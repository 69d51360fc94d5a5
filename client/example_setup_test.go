//go:build interop

package client_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/imapwire/imapwire/client"
)

// The Examples are the tutorial's programs in Go. They run against a real
// server (make interop starts a private Dovecot), each in a fixture folder
// of its own, holding the same three sample messages.

// The server the Examples use, from the interop environment.
var (
	exampleAddr    = os.Getenv("IMAPWIRE_TEST_ADDR")
	exampleUser    = os.Getenv("IMAPWIRE_TEST_USER")
	examplePass    = os.Getenv("IMAPWIRE_TEST_PASS")
	exampleOptions = &client.Options{TLSConfig: &tls.Config{InsecureSkipVerify: os.Getenv("IMAPWIRE_TEST_INSECURE") == "1"}}
)

// dialExample connects the way the environment says: IMAPS, STARTTLS or plaintext.
func dialExample(ctx context.Context) (*client.Client, error) {
	switch os.Getenv("IMAPWIRE_TEST_SECURITY") {
	case "tls":
		return client.DialTLS(ctx, exampleAddr, exampleOptions)
	case "plain":
		o := *exampleOptions
		o.AllowPlaintext = true
		return client.Dial(ctx, exampleAddr, &o)
	}
	return client.DialStartTLS(ctx, exampleAddr, exampleOptions)
}

var exampleMessages = []string{
	"From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: Apress book\r\nDate: Sat, 13 Jul 2013 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe Apress book is out.\r\n",
	"From: =?UTF-8?B?5byg5LiJ?= <zhang@example.cn>\r\nTo: bob@example.org\r\nSubject: =?UTF-8?B?5Lya6K6u?=\r\nDate: Mon, 15 Jul 2013 09:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hello</p>\r\n--b1--\r\n",
	"From: Carol <carol@example.com>\r\nTo: bob@example.org\r\nSubject: Report\r\nDate: Tue, 16 Jul 2013 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b2\r\nContent-Type: application/pdf; name=report.pdf\r\nContent-Disposition: attachment; filename=report.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b2--\r\n",
}

// exampleFixture creates a folder holding the sample messages and returns its
// name; the example deletes it when done.
func exampleFixture(name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dialExample(ctx)
	if err != nil {
		panic(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, exampleUser, examplePass); err != nil {
		panic(err)
	}
	folder := fmt.Sprintf("imapwire-example-%s-%d", name, time.Now().UnixNano())
	if err := c.Create(ctx, folder); err != nil {
		panic(err)
	}
	for _, m := range exampleMessages {
		if _, err := c.Append(ctx, folder, int64(len(m)), strings.NewReader(m), nil); err != nil {
			panic(err)
		}
	}
	return folder
}
