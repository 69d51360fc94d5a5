package client

import "testing"

func TestHostPort(t *testing.T) {
	tests := []struct {
		addr, port     string
		want, wantHost string
	}{
		{"imap.example.com", "143", "imap.example.com:143", "imap.example.com"},
		{"imap.example.com:1143", "143", "imap.example.com:1143", "imap.example.com"},
		{"127.0.0.1", "993", "127.0.0.1:993", "127.0.0.1"},
		{"[::1]", "143", "[::1]:143", "::1"}, // was [[::1]]:143
		{"::1", "143", "[::1]:143", "::1"},   // a bare IPv6 address
		{"[::1]:993", "143", "[::1]:993", "::1"},
		{"[fe80::1%eth0]", "993", "[fe80::1%eth0]:993", "fe80::1%eth0"},
	}
	for _, tt := range tests {
		got, host := HostPort(tt.addr, tt.port)
		if got != tt.want || host != tt.wantHost {
			t.Errorf("HostPort(%q, %q) = %q, %q; want %q, %q", tt.addr, tt.port, got, host, tt.want, tt.wantHost)
		}
	}
}
