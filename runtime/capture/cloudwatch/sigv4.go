package cloudwatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// authorization is a SigV4 Authorization header:
// AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/logs/aws4_request, SignedHeaders=a;b, Signature=HEX
var authorization = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/,]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$`)

const amzDateLayout = "20060102T150405Z"

// checkSignature checks the request is signed as SigV4 for the logs
// service, and, when the server knows the key's secret, that the
// signature is right. It returns the access key and region.
func (s *Server) checkSignature(r *http.Request, body []byte) (accessKey, region string, err error) {
	denied := func(format string, a ...any) error {
		return &apiError{"IncompleteSignatureException", fmt.Sprintf(format, a...)}
	}
	m := authorization.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "", "", denied("Authorization header %q is not a SigV4 (AWS4-HMAC-SHA256) signature", r.Header.Get("Authorization"))
	}
	accessKey, date, region, service, signedHeaders, signature := m[1], m[2], m[3], m[4], m[5], m[6]
	if service != "logs" {
		return "", "", denied("credential scope names service %q, want logs", service)
	}
	when, err := time.Parse(amzDateLayout, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "", "", denied("X-Amz-Date %q: want %s", r.Header.Get("X-Amz-Date"), amzDateLayout)
	}
	if when.Format("20060102") != date {
		return "", "", denied("credential scope date %s is not X-Amz-Date's day", date)
	}
	signed := strings.Split(signedHeaders, ";")
	for _, h := range []string{"host", "x-amz-date", "x-amz-target"} {
		if !slices.Contains(signed, h) {
			return "", "", denied("SignedHeaders %q leaves out %s", signedHeaders, h)
		}
	}
	secret, known := s.Secrets[accessKey]
	if !known {
		return accessKey, region, nil
	}
	// Sign the same request again with the known secret.
	again, err := http.NewRequestWithContext(context.Background(), r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return "", "", err
	}
	for _, h := range signed {
		switch h {
		case "host":
		case "content-length":
			again.ContentLength = int64(len(body))
		default:
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), "logs", region, when); err != nil {
		return "", "", err
	}
	want := authorization.FindStringSubmatch(again.Header.Get("Authorization"))
	if want == nil || want[6] != signature {
		return "", "", &apiError{"InvalidSignatureException", "The request signature we calculated does not match the signature you provided."}
	}
	return accessKey, region, nil
}
