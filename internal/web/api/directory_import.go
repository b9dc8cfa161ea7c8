package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/web"
)

// maxDirectoryBody bounds an imported HSDS document.
const maxDirectoryBody = 64 << 20

// importDirectory imports HSDS JSON (?replace=true deletes the directory
// first, ?lenient=true accepts Open Referral's example data). A document
// with any problem is refused whole: 400 with every problem and where.
func (a *API) importDirectory(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	v, err := parseQuery(r.URL.RawQuery, "replace", "lenient")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDirectoryBody))
	if err != nil {
		a.fail(w, r, &model.Error{Code: model.CodeTooLarge, Key: "error.too_large", Message: "the document is too large"})
		return
	}
	set, err := hsds.ParseJSON("body", body)
	if err != nil {
		a.fail(w, r, model.Invalid("", "directory.error.json", err.Error(), nil))
		return
	}
	res, err := a.desk.ImportDirectory(r.Context(), actor, set, store.ImportOptions{Replace: v.Get("replace") == "true", Lenient: v.Get("lenient") == "true"})
	var inv *hsds.Invalid
	if errors.As(err, &inv) {
		status, detail := web.Detail(r, a.log, a.printer(r), err)
		web.WriteJSON(w, status, map[string]any{"error": detail, "problems": inv.Problems})
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	warnings := res.Warnings
	if warnings == nil {
		warnings = []hsds.Problem{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"records": res.Records, "services": res.Services, "warnings": warnings})
}

// exportDirectory answers the whole directory as HSDS JSON (the export
// of sportello directory export --format json); audited.
func (a *API) exportDirectory(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	set, err := a.desk.ExportDirectory(r.Context(), actor)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = set.WriteJSON(w)
}

// staleServices lists the services due for review.
func (a *API) staleServices(w http.ResponseWriter, r *http.Request) {
	list, err := a.desk.StaleServices(r.Context(), web.ActorFrom(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type item struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		VerifiedOn string `json:"verified_on"`
		Owner      string `json:"owner"`
	}
	items := make([]item, 0, len(list))
	for _, s := range list {
		items = append(items, item{s.ID, s.Name, s.VerifiedOn, s.Owner})
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

// verifyService records that the caller checked the service today.
func (a *API) verifyService(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	if err := a.desk.VerifyService(r.Context(), actor, r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	card, err := a.desk.OperatorServiceCard(r.Context(), actor, r.PathValue("id"), a.printer(r).Lang())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, card)
}

// postServiceCard sends a service's card into the conversation as a reply.
func (a *API) postServiceCard(w http.ResponseWriter, r *http.Request) {
	actor := web.ActorFrom(r)
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body struct {
		ServiceID string `json:"service_id"`
	}
	if err := web.DecodeJSON(w, r, &body, web.MaxJSONBody); err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.desk.SendServiceCard(r.Context(), actor, id, body.ServiceID, linkBase(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, m)
}
