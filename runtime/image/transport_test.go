package image

import (
	"net/http"
	"strings"
	"testing"
)

type recordTrip struct{ called bool }

func (r *recordTrip) RoundTrip(*http.Request) (*http.Response, error) {
	r.called = true
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

// Plain HTTP goes only to loopback, or where insecure was asked; nothing
// is sent anywhere (the next transport only records the call).
func TestHTTPSOnly(t *testing.T) {
	tests := []struct {
		url      string
		insecure bool
		sent     bool
	}{
		{"http://127.0.0.1:5000/v2/", false, true},
		{"http://[::1]:5000/v2/", false, true},
		{"http://localhost:5000/v2/", false, true},
		{"http://10.1.2.3:5000/v2/", false, false},       // RFC 1918: go-containerregistry's default is HTTP
		{"http://registry.local:5000/v2/", false, false}, // .local likewise
		{"http://10.1.2.3:5000/v2/", true, true},
		{"https://10.1.2.3/v2/", false, true},
	}
	for _, tt := range tests {
		next := &recordTrip{}
		req, err := http.NewRequest("GET", tt.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = registryTransport{next: next, insecure: tt.insecure}.RoundTrip(req)
		if next.called != tt.sent {
			t.Errorf("%s (insecure=%v): sent=%v, want %v (err %v)", tt.url, tt.insecure, next.called, tt.sent, err)
		}
		if !tt.sent && (err == nil || !strings.Contains(err.Error(), "refusing plain HTTP to "+req.URL.Host)) {
			t.Errorf("%s: error %v, want one naming the host", tt.url, err)
		}
	}
}
