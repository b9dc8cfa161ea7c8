package portal

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/web"
)

var (
	errBodyRequired = &model.Error{Code: model.CodeInvalid, Key: "chat.body_required", Field: "body", Message: "write a message or add a file"}
	errRateLimited  = &model.Error{Code: model.CodeRateLimited, Key: "chat.rate_limited", Message: "too many messages"}
	errFileType     = &model.Error{Code: model.CodeInvalid, Key: "chat.file_type", Field: "file", Message: "only photos and PDFs"}
)

// postMessage takes the page's plain form: a message and perhaps a file,
// from a browser without JavaScript (chat.js sends over the WebSocket).
// The form's client id makes a resubmission store nothing new.
func (p *Portal) postMessage(w http.ResponseWriter, r *http.Request, rq *request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, p.opt.MaxUpload+maxForm)
	isMultipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	if !isMultipart {
		if err := r.ParseForm(); err != nil {
			p.formError(w, r, rq, err)
			return
		}
	}
	v, err := p.visitorOf(r, rq, false)
	if err != nil {
		p.unauthorized(w, r, rq, err)
		return
	}
	started, wv, err := p.started(ctx, rq, v)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	draft := r.PostForm.Get("body") // a multipart form is read below, after these checks
	if !started {
		p.rejectMessage(w, r, rq, v, draft, errPrechat)
		return
	}
	if !p.allow(v.ID, web.ClientIP(r)) {
		p.rejectMessage(w, r, rq, v, draft, errRateLimited)
		return
	}
	var clientID, body string
	var atts []model.Attachment
	if isMultipart {
		clientID, body, atts, err = p.readMessageForm(ctx, r, rq)
	} else {
		clientID, body = r.PostForm.Get("client_id"), r.PostForm.Get("body")
	}
	if err != nil {
		p.rejectMessage(w, r, rq, v, body, err)
		return
	}
	if !validClientID(clientID) {
		clientID = newClientID()
	}
	if strings.TrimSpace(body) == "" && len(atts) == 0 {
		p.rejectMessage(w, r, rq, v, body, errBodyRequired)
		return
	}
	res, err := p.receive(ctx, rq, v, wv, clientID, body, atts)
	if err != nil {
		p.rejectMessage(w, r, rq, v, body, err)
		return
	}
	u := chatURL(rq.org.Slug, false)
	u.RawQuery = "sent=1"
	u.Fragment = "m-" + strconv.FormatInt(res.ConversationID, 10) + "-" + strconv.FormatInt(res.Seq, 10)
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// readMessageForm reads the form's fields in order, streaming the file
// (if one was chosen) into the attachments directory.
func (p *Portal) readMessageForm(ctx context.Context, r *http.Request, rq *request) (clientID, body string, atts []model.Attachment, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", nil, &model.Error{Code: model.CodeInvalid, Key: "error.invalid", Message: "malformed form", Err: err}
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return clientID, body, atts, nil
		}
		if err != nil {
			return clientID, body, atts, p.readError(rq, err)
		}
		switch part.FormName() {
		case "client_id":
			clientID, err = readField(part, 100)
		case "body":
			body, err = readField(part, 4*maxBodyRunes)
		case "file":
			if part.FileName() == "" {
				continue // no file chosen
			}
			var a model.Attachment
			a, err = p.storeUpload(ctx, rq, part)
			if err == nil {
				atts = append(atts, a)
			}
		}
		part.Close()
		if err != nil {
			return clientID, body, atts, p.readError(rq, err)
		}
	}
}

// maxBodyRunes mirrors the store's limit on a message.
const maxBodyRunes = 20000

func readField(part *multipart.Part, max int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, max+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > max {
		return "", &model.Error{Code: model.CodeTooLarge, Key: "error.too_large", Message: "field too large"}
	}
	return string(b), nil
}

// readError turns a failure to read the body into the error to show.
func (p *Portal) readError(rq *request, err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return p.tooLarge(rq)
	}
	if _, ok := model.AsError(err); ok {
		return err
	}
	return &model.Error{Code: model.CodeInvalid, Key: "error.invalid", Message: "malformed form", Err: err}
}

func (p *Portal) tooLarge(rq *request) error {
	return &model.Error{Code: model.CodeTooLarge, Key: "error.attachment.too_large", Field: "file",
		Args: map[string]any{"Limit": formatSize(rq.pr, p.opt.MaxUpload)}, Message: "file too large"}
}

// storeUpload keeps a visitor's file, unlinked until a message carries
// it. Only photos and PDFs within the size limit are kept.
func (p *Portal) storeUpload(ctx context.Context, rq *request, part *multipart.Part) (model.Attachment, error) {
	a, err := p.files.Put(ctx, rq.org.ID, part.FileName(), part.Header.Get("Content-Type"), part)
	if err != nil {
		if e, ok := model.AsError(err); ok && e.Code == model.CodeTooLarge {
			return a, p.tooLarge(rq)
		}
		return a, chatError(p.readError(rq, err))
	}
	mt, _, _ := mime.ParseMediaType(a.ContentType)
	switch {
	case !chatTypes[mt]:
		err = errFileType
	case a.Size > p.opt.MaxUpload:
		err = p.tooLarge(rq)
	default:
		err = p.st.CreateAttachment(ctx, &a)
	}
	if err != nil {
		if rmErr := p.files.Remove(a.StorageKey); rmErr != nil {
			p.log.WarnContext(ctx, "portal: remove a refused upload", "err", rmErr)
		}
		return model.Attachment{}, err
	}
	return a, nil
}

// rejectMessage shows the chat again with the draft and the reason.
func (p *Portal) rejectMessage(w http.ResponseWriter, r *http.Request, rq *request, v visitor, draft string, err error) {
	if web.Status(err) >= 500 {
		p.fail(w, r, rq, err)
		return
	}
	pg := p.chatPageFor(rq, false)
	if ferr := p.fillChat(r, rq, pg, v, true); ferr != nil {
		p.fail(w, r, rq, ferr)
		return
	}
	msg := rq.pr.Error(chatError(err))
	pg.Alert = msg
	if e, ok := model.AsError(err); ok && e.Field == "body" {
		pg.Chat.BodyError = msg
	}
	pg.Chat.Draft = draft
	p.renderChat(w, r, rq, web.Status(err), pg, v, false)
}

// upload takes one file from chat.js and answers a reference that only
// this visitor's next message can carry.
func (p *Portal) upload(w http.ResponseWriter, r *http.Request, rq *request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, p.opt.MaxUpload+maxForm)
	v, err := p.visitorOf(r, rq, false)
	if err != nil {
		p.unauthorized(w, r, rq, err)
		return
	}
	started, _, err := p.started(ctx, rq, v)
	if err == nil && !started {
		err = errPrechat
	}
	if err == nil && !p.allow(v.ID, web.ClientIP(r)) {
		err = errRateLimited
	}
	if err != nil {
		p.writeError(w, r, rq.pr, err)
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		p.writeError(w, r, rq.pr, &model.Error{Code: model.CodeInvalid, Key: "error.invalid", Message: "send the file as multipart/form-data", Err: err})
		return
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = &model.Error{Code: model.CodeInvalid, Key: "chat.file_missing", Field: "file", Message: "no file in the form"}
			}
			p.writeError(w, r, rq.pr, p.readError(rq, err))
			return
		}
		if part.FormName() != "file" || part.FileName() == "" {
			part.Close()
			continue
		}
		a, err := p.storeUpload(ctx, rq, part)
		part.Close()
		if err != nil {
			p.writeError(w, r, rq.pr, err)
			return
		}
		ref, err := p.uploadRef(ctx, rq.org.ID, v.ID, a.ID)
		if err != nil {
			p.writeError(w, r, rq.pr, err)
			return
		}
		web.WriteJSON(w, http.StatusCreated, map[string]any{
			"ref": ref, "id": a.ID, "filename": a.Filename, "content_type": a.ContentType, "size": a.Size,
		})
		return
	}
}

// file serves a file of the visitor's own conversations: theirs and the
// desk's replies, never internal notes' or anyone else's.
func (p *Portal) file(w http.ResponseWriter, r *http.Request, rq *request) {
	v, err := p.visitorOf(r, rq, false)
	if err != nil {
		http.Error(w, rq.pr.Error(err), http.StatusUnauthorized)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		p.notFound(w, r, rq)
		return
	}
	a, err := p.st.WebAttachment(r.Context(), rq.org.ID, v.ID, id)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	f, err := p.files.Open(a.StorageKey)
	if err != nil {
		p.fail(w, r, rq, err)
		return
	}
	defer f.Close()
	web.ServeAttachment(w, r, a, f)
}
