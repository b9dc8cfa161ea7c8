package translate_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/translate"
)

// fakeLibre speaks LibreTranslate's protocol over a small dictionary, and
// refuses a wrong API key the way the real server does.
func fakeLibre(t *testing.T, key string, dict map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/translate" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		var req struct{ Q, Source, Target, Format, API_Key string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "Invalid request"})
			return
		}
		if req.API_Key != key {
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]string{"error": "Invalid API key"})
			return
		}
		if req.Format != "text" {
			t.Errorf("format %q, want text", req.Format)
		}
		out, ok := dict[req.Source+">"+req.Target+":"+req.Q]
		if !ok {
			out = "[" + req.Target + "] " + req.Q
		}
		json.NewEncoder(w).Encode(map[string]string{"translatedText": out})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLibreTranslateRoundTrip(t *testing.T) {
	srv := fakeLibre(t, "k3y", map[string]string{
		"ar>it:أحتاج مساعدة":        "Ho bisogno di aiuto",
		"it>ar:Ho bisogno di aiuto": "أحتاج مساعدة",
		"auto>it:hello":             "ciao",
	})
	lt, err := translate.NewLibreTranslate(srv.URL+"/", "k3y", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	it, err := lt.Translate(ctx, "أحتاج مساعدة", "ar", "it")
	if err != nil || it != "Ho bisogno di aiuto" {
		t.Fatalf("ar→it: %q, %v", it, err)
	}
	back, err := lt.Translate(ctx, it, "it", "ar-MA")
	if err != nil || back != "أحتاج مساعدة" {
		t.Fatalf("it→ar: %q, %v", back, err)
	}
	if got, err := lt.Translate(ctx, "hello", "", "it"); err != nil || got != "ciao" {
		t.Errorf("auto: %q, %v", got, err)
	}
	if got, err := lt.Translate(ctx, "  ", "it", "ar"); err != nil || got != "  " {
		t.Errorf("blank: %q, %v", got, err)
	}
}

func TestLibreTranslateFailures(t *testing.T) {
	srv := fakeLibre(t, "right", nil)
	ctx := context.Background()
	wrong, _ := translate.NewLibreTranslate(srv.URL, "wrong", srv.Client())
	if _, err := wrong.Translate(ctx, "ciao", "it", "ar"); !translate.IsUnavailable(err) || model.ErrorCode(err) != model.CodeUnavailable {
		t.Errorf("wrong key: %v", err)
	}
	down, _ := translate.NewLibreTranslate("http://127.0.0.1:1", "", nil)
	if _, err := down.Translate(ctx, "ciao", "it", "ar"); !translate.IsUnavailable(err) {
		t.Errorf("server down: %v", err)
	}
	for _, bad := range []string{"", "ftp://x", "translate.example.org", "http://user:pw@x"} {
		if _, err := translate.NewLibreTranslate(bad, "", nil); model.ErrorCode(err) != model.CodeInvalid {
			t.Errorf("NewLibreTranslate(%q): %v", bad, err)
		}
	}
	ok, _ := translate.NewLibreTranslate(srv.URL, "right", srv.Client())
	if _, err := ok.Translate(ctx, "ciao", "it", ""); model.ErrorCode(err) != model.CodeInvalid {
		t.Errorf("no target: %v", err)
	}
}
