package registry

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// auth asks for credentials as Docker Hub does: /v2/ answers 401 with a
// Bearer challenge naming /token, which hands out a token for the right
// basic credentials; requests then carry the token. Basic credentials are
// accepted on /v2/ directly too.
type auth struct {
	user, pass string
	token      string
	next       http.Handler
}

func newAuth(user, pass string, next http.Handler) *auth {
	b := make([]byte, 16)
	rand.Read(b)
	return &auth{user: user, pass: pass, token: hex.EncodeToString(b), next: next}
}

func (a *auth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		if !a.basicOK(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="berth registry"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"wrong username or password"}]}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"token": a.token, "access_token": a.token})
		return
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && subtle.ConstantTimeCompare([]byte(bearer), []byte(a.token)) == 1 || a.basicOK(r) {
		a.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+r.Host+`/token",service="berth-registry"`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
}

func (a *auth) basicOK(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(a.user)) == 1 && subtle.ConstantTimeCompare([]byte(p), []byte(a.pass)) == 1
}
