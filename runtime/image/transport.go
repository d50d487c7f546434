package image

import (
	"fmt"
	"net"
	"net/http"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// httpsOnly is the transport of pulls and pushes: go-containerregistry
// speaks plain HTTP to loopback, RFC 1918 and .local registries by itself,
// but berth allows plain HTTP only to loopback, or when the scenario asked
// for insecure.
type httpsOnly struct {
	next     http.RoundTripper
	insecure bool
}

func (t httpsOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !t.insecure && !loopbackHost(req.URL.Hostname()) {
		return nil, fmt.Errorf("refusing plain HTTP to %s: only a loopback registry, or insecure=True, gets it", req.URL.Host)
	}
	return t.next.RoundTrip(req)
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// transportOption is the remote option that applies httpsOnly.
func transportOption(insecure bool) remote.Option {
	return remote.WithTransport(httpsOnly{next: remote.DefaultTransport, insecure: insecure})
}
