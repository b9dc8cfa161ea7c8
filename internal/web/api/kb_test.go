package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestKBAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		o := e.newOrg("alpha")

		r := e.call("POST", "/api/v1/kb/categories", o.adminToken, `{"slug": "identita", "names": {"it": "Identità digitale", "en": "Digital identity"}}`)
		if r.status != http.StatusCreated {
			t.Fatalf("create category: %d %s", r.status, r.body)
		}
		var cat struct{ ID int64 }
		r.decode(t, &cat)
		r = e.call("POST", "/api/v1/kb/articles", o.adminToken, fmt.Sprintf(`{"slug": "spid", "category_id": %d, "review_by": "2027-01-31", "sources": ["https://www.spid.gov.it/"]}`, cat.ID))
		if r.status != http.StatusCreated {
			t.Fatalf("create article: %d %s", r.status, r.body)
		}
		var art struct {
			ID       int64
			Status   string
			ReviewBy *string `json:"review_by"`
		}
		r.decode(t, &art)
		if art.Status != "draft" || art.ReviewBy == nil || *art.ReviewBy != "2027-01-31" {
			t.Errorf("created: %s", r.body)
		}
		base := fmt.Sprintf("/api/v1/kb/articles/%d", art.ID)
		for _, tr := range []struct{ lang, body string }{
			{"it", `{"title": "Come ottenere lo SPID", "body": "Prima versione."}`},
			{"it", `{"title": "Come ottenere lo SPID", "body": "Scegli un gestore di identità."}`},
			{"en", `{"title": "How to get SPID", "body": "Choose an identity provider."}`},
		} {
			if r := e.call("PUT", base+"/translations/"+tr.lang, o.adminToken, tr.body); r.status != http.StatusOK {
				t.Fatalf("put %s: %d %s", tr.lang, r.status, r.body)
			}
		}
		r = e.call("GET", base+"/translations/it/versions", o.adminToken, "")
		if r.status != http.StatusOK || !strings.Contains(string(r.body), "Prima versione.") || strings.Contains(string(r.body), "Scegli") {
			t.Errorf("versions: %d %s", r.status, r.body)
		}

		search := func(token, lang, q, status string) response {
			v := url.Values{"q": {q}, "language": {lang}}
			if status != "" {
				v.Set("status", status)
			}
			return e.call("GET", "/api/v1/kb/search?"+v.Encode(), token, "")
		}
		// A draft is found only when asked for.
		if r := search(o.adminToken, "it", "come ottenere lo SPID", ""); r.status != http.StatusOK || strings.Contains(string(r.body), "spid") {
			t.Errorf("draft found by default: %d %s", r.status, r.body)
		}
		if r := e.call("PATCH", base, o.adminToken, `{"status": "published"}`); r.status != http.StatusOK {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		for _, q := range []struct{ lang, text string }{{"it", "come ottenere lo SPID"}, {"en", "how to get SPID"}} {
			r := search(o.volToken, q.lang, q.text, "")
			if r.status != http.StatusOK || !strings.Contains(string(r.body), `"slug":"spid"`) {
				t.Errorf("search %s %q as a volunteer: %d %s", q.lang, q.text, r.status, r.body)
			}
		}
		if r := e.call("GET", "/api/v1/kb/articles?review_due=true", o.adminToken, ""); r.status != http.StatusOK || strings.Contains(string(r.body), "spid") {
			t.Errorf("review due before its date: %s", r.body)
		}
		if r := e.call("GET", base, o.volToken, ""); r.status != http.StatusOK || !strings.Contains(string(r.body), "Choose an identity provider.") {
			t.Errorf("get as a volunteer: %d %s", r.status, r.body)
		}

		// Staff who may read may not write.
		for _, c := range []struct{ method, path, body string }{
			{"POST", "/api/v1/kb/articles", `{"slug": "x"}`},
			{"PATCH", base, `{"status": "draft"}`},
			{"PUT", base + "/translations/fr", `{"title": "x", "body": "y"}`},
			{"DELETE", base, ""},
			{"POST", "/api/v1/kb/categories", `{"slug": "x"}`},
		} {
			if r := e.call(c.method, c.path, o.volToken, c.body); r.status != http.StatusForbidden {
				t.Errorf("%s %s as a volunteer: %d", c.method, c.path, r.status)
			}
		}

		// Bad input: 400 with a field, nothing written.
		for _, c := range []struct{ method, path, body, field string }{
			{"POST", "/api/v1/kb/articles", `{"slug": "Not a slug"}`, "slug"},
			{"POST", "/api/v1/kb/articles", `{"slug": "x", "status": "live"}`, "status"},
			{"POST", "/api/v1/kb/articles", `{"slug": "x", "review_by": "31/01/2027"}`, "review_by"},
			{"POST", "/api/v1/kb/articles", `{"slug": "x", "sources": ["javascript:alert(1)"]}`, "sources"},
			{"PATCH", base, `{"category_id": -1}`, "category_id"},
			{"PUT", base + "/translations/en", `{"title": "", "body": "x"}`, "title"},
			{"PUT", base + "/translations/en", `{"title": "x", "body": "` + strings.Repeat("a", 100_001) + `"}`, "body"},
			{"PUT", base + "/translations/en", `{"title": "x", "body": "![a](data:image/png;base64,AAAA)"}`, "body"},
			{"PUT", base + "/translations/not_a_language", `{"title": "x", "body": "y"}`, "language"},
			{"GET", "/api/v1/kb/search?q=spid&language=it&status=secret", "", "status"},
			{"GET", "/api/v1/kb/articles?status=secret", "", "status"},
		} {
			r := e.call(c.method, c.path, o.adminToken, c.body)
			if _, _, field := r.errorBody(t); r.status != http.StatusBadRequest || field != c.field {
				t.Errorf("%s %s %.60s: %d field %q, want 400 on %s", c.method, c.path, c.body, r.status, field, c.field)
			}
		}
		r = e.call("GET", base, o.adminToken, "")
		if strings.Contains(string(r.body), "data:image") || !strings.Contains(string(r.body), "Choose an identity provider.") {
			t.Errorf("after bad input: %s", r.body)
		}
		if r := e.call("DELETE", base, o.adminToken, ""); r.status != http.StatusOK {
			t.Errorf("delete: %d %s", r.status, r.body)
		}
		if r := e.call("GET", base, o.adminToken, ""); r.status != http.StatusNotFound {
			t.Errorf("after delete: %d", r.status)
		}
	})
}

// TestKBSharedAPI lists the articles other organisations share and copies
// one: only published, shared articles of another organisation are seen
// or copied, and the copy is a draft due for review.
func TestKBSharedAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a, b := e.newOrg("alpha"), e.newOrg("bravo")
		ctx := context.Background()
		article := func(o *org, slug, status string, shared bool, title string) int64 {
			art := &store.KBArticle{OrgID: o.org.ID, Slug: slug, Status: status, Shared: shared, Sources: []string{"https://www.spid.gov.it/"}}
			e.must(s.SaveKBArticle(ctx, art))
			e.must(s.SaveKBTranslation(ctx, &store.KBTranslation{OrgID: o.org.ID, ArticleID: art.ID, Language: "it", Title: title, Body: "Testo di " + title + "."}))
			e.must(s.SaveKBTranslation(ctx, &store.KBTranslation{OrgID: o.org.ID, ArticleID: art.ID, Language: "en", Title: title + " (en)", Body: "Text."}))
			return art.ID
		}
		shared := article(b, "spid", "published", true, "Lo SPID di bravo")
		private := article(b, "private", "published", false, "Riservato di bravo")
		draft := article(b, "draft", "draft", true, "Bozza di bravo")
		own := article(a, "own", "published", true, "Condiviso da alpha")

		var list struct {
			Items []struct {
				ID           int64
				Organization string
				Slug         string
				Translations []struct{ Language, Title string }
			}
		}
		r := e.call("GET", "/api/v1/kb/shared", a.volToken, "")
		if r.status != http.StatusOK {
			t.Fatalf("list as a volunteer: %d %s", r.status, r.body)
		}
		r.decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != shared || list.Items[0].Organization != "Org bravo" || len(list.Items[0].Translations) != 2 {
			t.Fatalf("alpha sees %s, want bravo's shared, published article only", r.body)
		}
		for _, secret := range []string{"Riservato", "Bozza", "Condiviso da alpha", "Testo di", "owner_id", "category_id"} {
			if strings.Contains(string(r.body), secret) {
				t.Errorf("the list carries %q: %s", secret, r.body)
			}
		}
		if r := e.call("GET", "/api/v1/kb/shared", b.adminToken, ""); !strings.Contains(string(r.body), "Condiviso da alpha") || strings.Contains(string(r.body), "Lo SPID di bravo") {
			t.Errorf("bravo sees %s, want alpha's article and not its own", r.body)
		}

		copyPath := func(id int64) string { return fmt.Sprintf("/api/v1/kb/shared/%d/copy", id) }
		if r := e.call("POST", copyPath(shared), a.volToken, ""); r.status != http.StatusForbidden {
			t.Errorf("copy as a volunteer: %d %s", r.status, r.body)
		}
		for _, id := range []int64{private, draft, own, 1 << 40} {
			if r := e.call("POST", copyPath(id), a.adminToken, ""); r.status != http.StatusNotFound {
				t.Errorf("copy article %d: %d %s, want 404", id, r.status, r.body)
			}
		}
		if r := e.call("POST", "/api/v1/kb/shared/abc/copy", a.adminToken, ""); r.status != http.StatusBadRequest {
			t.Errorf("copy article abc: %d %s, want 400", r.status, r.body)
		}
		r = e.call("POST", copyPath(shared), a.adminToken, "")
		if r.status != http.StatusCreated {
			t.Fatalf("copy: %d %s", r.status, r.body)
		}
		var cp struct {
			ID           int64
			Slug, Status string
			OwnerID      int64   `json:"owner_id"`
			ReviewBy     *string `json:"review_by"`
			Sources      []string
			Translations []struct{ Language, Title, Body string }
		}
		r.decode(t, &cp)
		if cp.ID == shared || cp.Slug != "spid" || cp.Status != "draft" || cp.OwnerID != 0 || cp.ReviewBy == nil ||
			len(cp.Sources) != 1 || len(cp.Translations) != 2 || cp.Translations[1].Body != "Testo di Lo SPID di bravo." {
			t.Errorf("copy: %s", r.body)
		}
		if r := e.call("GET", fmt.Sprintf("/api/v1/kb/articles/%d", cp.ID), a.adminToken, ""); r.status != http.StatusOK || !strings.Contains(string(r.body), "Lo SPID di bravo") {
			t.Errorf("the copy in alpha: %d %s", r.status, r.body)
		}
		// The slug is taken now: a second copy is a conflict, with a message.
		r = e.call("POST", copyPath(shared), a.adminToken, "")
		if code, msg, _ := r.errorBody(t); r.status != http.StatusConflict || msg == "" {
			t.Errorf("second copy: %d %s %q", r.status, code, msg)
		}
		// Bravo's article is as it was.
		orig, err := s.KBArticle(ctx, b.org.ID, shared)
		e.must(err)
		if orig.Status != "published" || !orig.Shared || len(orig.Translations) != 2 {
			t.Errorf("bravo's article changed: %+v", orig)
		}
		// Unsharing it takes it off the list.
		orig.Shared = false
		e.must(s.SaveKBArticle(ctx, orig))
		if r := e.call("GET", "/api/v1/kb/shared", a.adminToken, ""); r.status != http.StatusOK || !strings.Contains(string(r.body), `"items":[]`) {
			t.Errorf("after unsharing: %d %s", r.status, r.body)
		}
		if r := e.call("GET", "/api/v1/kb/shared?org=bravo", a.adminToken, ""); r.status != http.StatusBadRequest {
			t.Errorf("unknown parameter: %d", r.status)
		}
	})
}
