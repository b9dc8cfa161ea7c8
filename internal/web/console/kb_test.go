package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/kb"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestKnowledgeBaseInTheConsole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		p := e.it()
		id := e.inbound("v1", "Amina Diallo", "Come ottengo lo SPID?")
		coord := e.client().signIn("coord@desk.example")
		op := e.client().signIn("op@desk.example")

		// Operators read the knowledge base but do not write it.
		wantStatus(t, "operator lists", op.get("/kb"), http.StatusOK)
		wantStatus(t, "operator creates", op.send("/kb", url.Values{"slug": {"x"}}), http.StatusForbidden)
		wantStatus(t, "operator's new form", op.get("/kb/new"), http.StatusForbidden)

		r := coord.send("/kb/categories", url.Values{"slug": {"identita"}, "name": {"Identità digitale"}})
		wantStatus(t, "category", r, http.StatusSeeOther)
		cats, _ := s.KBCategories(t.Context(), e.org.ID)
		if len(cats) != 1 {
			t.Fatalf("categories: %v", cats)
		}
		form := url.Values{"slug": {"spid"}, "status": {"published"}, "category_id": {strconv.FormatInt(cats[0].ID, 10)}, "owner_id": {"0"},
			"review_by": {"2027-01-31"}, "sources": {"https://www.spid.gov.it/\r\n"}, "language": {"it"}, "title": {"Come ottenere lo SPID"},
			"body": {"Scegli un gestore. <script>alert(1)</script>"}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("body", "![x](data:image/png;base64,AAAA)")
		r = coord.send("/kb", bad)
		wantStatus(t, "embedded image", r, http.StatusBadRequest)
		wantContains(t, "embedded image", r.body, `id="kb-body-error"`, html(p.T("kb.error_image_url", nil)))
		if list, _ := s.KBArticles(t.Context(), e.org.ID, store.KBFilter{}); len(list) != 0 {
			t.Fatalf("a refused form left %d articles", len(list))
		}
		r = coord.send("/kb", form)
		wantStatus(t, "create", r, http.StatusSeeOther)
		page := coord.get(r.location())
		wantContains(t, "article page", page.body, html(p.T("kb.saved", nil)), "Come ottenere lo SPID", `href="/o/`+e.org.Slug+`/help/spid?lang=it"`)
		wantMissing(t, "article page", page.body, "<script>alert(1)</script>")

		art, err := s.KBArticleBySlug(t.Context(), e.org.ID, "spid")
		if err != nil {
			t.Fatal(err)
		}
		base := "/kb/" + strconv.FormatInt(art.ID, 10)
		r = coord.send(base+"/translations", url.Values{"language": {"it"}, "title": {"Come ottenere lo SPID"}, "body": {"Scegli un gestore di identità."}})
		wantStatus(t, "second version", r, http.StatusSeeOther)
		wantContains(t, "history", coord.get(base+"?lang=it").body, html(p.T("kb.history", nil)), "Scegli un gestore. &lt;script&gt;")
		r = coord.send(base+"/translations", url.Values{"language": {"en"}, "title": {"How to get SPID"}, "body": {"Choose a provider."}})
		wantStatus(t, "English", r, http.StatusSeeOther)
		wantContains(t, "list", coord.get("/kb").body, "Come ottenere lo SPID", "en, it")

		// The reply box: search in the conversation's language, insert the
		// link into the draft without sending anything (no JavaScript).
		r = op.send(convURL(id)+"/messages", url.Values{"body": {"Ciao Amina,"}, "direction": {"reply"}, "kbq": {"come ottenere lo SPID"}, "kb_search": {"1"}})
		wantStatus(t, "search in the reply box", r, http.StatusOK)
		wantContains(t, "search in the reply box", r.body, `name="kb_insert" value="spid"`, ">Ciao Amina,</textarea>")
		r = op.send(convURL(id)+"/messages", url.Values{"body": {"Ciao Amina,"}, "direction": {"reply"}, "kb_insert": {"spid"}})
		wantStatus(t, "insert", r, http.StatusOK)
		if !strings.Contains(r.body, "Ciao Amina,\n\nCome ottenere lo SPID: http://") || !strings.Contains(r.body, "/o/"+e.org.Slug+"/help/spid?lang=it</textarea>") {
			t.Errorf("draft after insert: %s", r.body)
		}
		if n := len(e.messages(id)); n != 1 {
			t.Errorf("searching and inserting sent %d messages", n-1)
		}
		js := op.get("/kb/search?conv=" + strconv.FormatInt(id, 10) + "&q=spid")
		wantContains(t, "search for console.js", js.body, `"slug":"spid"`, `/help/spid?lang=it"`)
		wantStatus(t, "search of another's conversation", op.get("/kb/search?conv=999999&q=spid"), http.StatusNotFound)

		r = coord.send(base+"/delete", url.Values{})
		wantStatus(t, "delete", r, http.StatusSeeOther)
		wantStatus(t, "after delete", coord.get(base), http.StatusNotFound)
	})
}

func TestSharedArticlesInTheConsole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		other := &model.Organization{Slug: "caritas", Name: "Caritas Milano"}
		if err := s.CreateOrganization(t.Context(), other); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportKBDoc(t.Context(), other.ID, &kb.Doc{Slug: "pec", Language: "it", Title: "La PEC", Status: kb.StatusPublished, Shared: true, Body: "Come una raccomandata."}, 0); err != nil {
			t.Fatal(err)
		}
		coord := e.client().signIn("coord@desk.example")
		op := e.client().signIn("op@desk.example")
		r := op.get("/kb/shared")
		wantStatus(t, "operator reads", r, http.StatusOK)
		wantContains(t, "shared list", r.body, "La PEC", "Caritas Milano")
		src, _ := s.KBArticleBySlug(t.Context(), other.ID, "pec")
		copyURL := "/kb/shared/" + strconv.FormatInt(src.ID, 10) + "/copy"
		wantStatus(t, "operator copies", op.send(copyURL, url.Values{}), http.StatusForbidden)
		r = coord.send(copyURL, url.Values{})
		wantStatus(t, "copy", r, http.StatusSeeOther)
		wantContains(t, "the copy", coord.get(r.location()).body, "La PEC", `value="draft" selected`)
		if list, _ := s.KBArticles(t.Context(), e.org.ID, store.KBFilter{}); len(list) != 1 || list[0].Status != kb.StatusDraft {
			t.Errorf("after copy: %v", list)
		}
	})
}
