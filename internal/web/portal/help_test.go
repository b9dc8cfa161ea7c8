package portal_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func (e *env) importKB(docs ...kb.Doc) {
	e.t.Helper()
	for i := range docs {
		if _, err := e.s.ImportKBDoc(e.t.Context(), e.org.ID, &docs[i], e.admin.ID); err != nil {
			e.t.Fatal(err)
		}
	}
}

func TestHelpCentre(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, options{})
		e.importKB(
			kb.Doc{Slug: "spid", Language: "it", Title: "Come ottenere lo SPID", Summary: "L'identità digitale.", Category: "identita", CategoryName: "Identità digitale", Status: kb.StatusPublished,
				Sources: []string{"https://www.spid.gov.it/"}, Body: "## Cos'è\n\nScegli un gestore.<script>alert(1)</script> [x](javascript:alert(2)) <iframe src=\"https://evil.example\"></iframe>"},
			kb.Doc{Slug: "spid", Language: "en", Title: "How to get SPID", Category: "identita", CategoryName: "Digital identity", Status: kb.StatusPublished, Body: "Choose an identity provider."},
			kb.Doc{Slug: "turni", Language: "it", Title: "Turni SPID", Status: kb.StatusInternal, Body: "Solo per lo staff."},
			kb.Doc{Slug: "bozza", Language: "it", Title: "Bozza SPID", Status: kb.StatusDraft, Body: "Non pronta."},
		)
		c := e.client()
		base := "/o/" + e.org.Slug + "/help"

		home := c.get(base + "?lang=en")
		if home.status != http.StatusOK || !strings.Contains(home.body, "Digital identity") || !strings.Contains(home.body, "How to get SPID") {
			t.Errorf("home in English: %d %s", home.status, home.body)
		}
		if strings.Contains(home.body, "Turni") || strings.Contains(home.body, "Bozza") {
			t.Error("home lists an internal or draft article")
		}

		res := c.get(base + "/search?lang=it&q=" + url.QueryEscape("come ottenere lo SPID"))
		if res.status != http.StatusOK || !strings.Contains(res.body, `href="`+base+`/spid"`) {
			t.Errorf("Italian search: %d %s", res.status, res.body)
		}
		res = c.get(base + "/search?lang=en&q=" + url.QueryEscape("how to get SPID"))
		if !strings.Contains(res.body, "How to get SPID") {
			t.Errorf("English search found nothing: %s", res.body)
		}
		hostile := `<script>alert("q")</script> spid`
		res = c.get(base + "/search?lang=it&q=" + url.QueryEscape(hostile))
		if res.status != http.StatusOK || strings.Contains(res.body, `<script>alert("q")`) || !strings.Contains(res.body, "&lt;script&gt;") {
			t.Errorf("hostile query not escaped: %s", res.body)
		}
		res = c.get(base + "/search?lang=it&q=turni")
		if strings.Contains(res.body, "Turni SPID") {
			t.Error("search shows an internal article")
		}

		art := c.get(base + "/spid?lang=it")
		if art.status != http.StatusOK || !strings.Contains(art.body, "<h2") || !strings.Contains(art.body, "https://www.spid.gov.it/") {
			t.Errorf("article: %d %s", art.status, art.body)
		}
		for _, bad := range []string{"<script>alert(1)", "javascript:", "<iframe"} {
			if strings.Contains(art.body, bad) {
				t.Errorf("article page holds %q", bad)
			}
		}
		// Arabic: the page is right to left, the Italian text says it is one.
		ar := c.get(base + "/spid?lang=ar")
		if ar.status != http.StatusOK || !strings.Contains(ar.body, `<html lang="ar" dir="rtl">`) || !strings.Contains(ar.body, `class="notice help-fallback"`) || !strings.Contains(ar.body, `<article class="help-article" lang="it" dir="ltr">`) {
			t.Errorf("Arabic fallback: %d %s", ar.status, ar.body)
		}
		for _, path := range []string{base + "/turni", base + "/bozza", base + "/nothing", "/o/no-such-org/help", "/o/no-such-org/help/spid"} {
			if r := c.get(path); r.status != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, r.status)
			}
		}

		sug := c.get(base + "/suggest?lang=it&q=spid")
		var out struct {
			Title   string
			Results []struct{ Title, URL string }
		}
		if err := json.Unmarshal([]byte(sug.body), &out); err != nil || len(out.Results) != 1 || out.Results[0].URL != base+"/spid?lang=it" || out.Title == "" {
			t.Errorf("suggest: %v %s", err, sug.body)
		}
		sug = c.get(base + "/suggest?lang=it&q=" + url.QueryEscape(strings.Repeat("spid ", 1000)))
		if sug.status != http.StatusOK {
			t.Errorf("long suggest query: %d", sug.status)
		}
	})
}
