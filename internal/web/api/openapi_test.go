package api_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
	"github.com/sportello/sportello/internal/web/api"
)

// TestOpenAPI checks the served document against the route table: every
// route is described with its path parameters and its errors, nothing is
// described that is not a route, and every $ref resolves.
func TestOpenAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		r := e.call("GET", "/api/v1/openapi.json", "", "")
		if r.status != http.StatusOK {
			t.Fatalf("status %d without a token: %s", r.status, r.body)
		}
		var doc map[string]any
		r.decode(t, &doc)
		if doc["openapi"] != "3.1.0" {
			t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
		}
		scheme := dig(doc, "components", "securitySchemes", "bearer")
		if dig(scheme, "type") != "http" || dig(scheme, "scheme") != "bearer" {
			t.Errorf("bearer security scheme: %v", scheme)
		}
		errProps := dig(doc, "components", "schemas", "Error", "properties", "error", "properties")
		for _, f := range []string{"code", "message", "field"} {
			if dig(errProps, f) == nil {
				t.Errorf("the Error schema has no %s", f)
			}
		}

		paths, _ := doc["paths"].(map[string]any)
		described := map[string]bool{}
		for path, item := range paths {
			for method := range item.(map[string]any) {
				described[strings.ToUpper(method)+" "+path] = true
			}
		}
		pathParam := regexp.MustCompile(`\{(\w+)\}`)
		for _, ep := range api.Endpoints() {
			key := ep.Method + " " + ep.Path
			op, ok := dig(paths, ep.Path, strings.ToLower(ep.Method)).(map[string]any)
			if !ok {
				t.Errorf("%s is not in openapi.json", key)
				continue
			}
			delete(described, key)
			if ep.Perm != api.Public {
				if dig(op, "responses", "401") == nil || dig(op, "responses", "400") == nil {
					t.Errorf("%s: no 400 or 401 response described", key)
				}
			} else if sec, ok := op["security"].([]any); !ok || len(sec) != 0 {
				t.Errorf("%s needs no token, but its security is %v", key, op["security"])
			}
			var params []string
			for _, p := range asList(op["parameters"]) {
				p = resolve(doc, p)
				if dig(p, "in") == "path" {
					params = append(params, dig(p, "name").(string))
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(ep.Path, -1) {
				if !slices.Contains(params, m[1]) {
					t.Errorf("%s: path parameter %s is not described", key, m[1])
				}
			}
			if (ep.Method == "PATCH" || ep.Method == "POST") && dig(op, "requestBody", "content", "application/json", "schema") == nil {
				t.Errorf("%s: no JSON request body described", key)
			}
		}
		for key := range described {
			t.Errorf("openapi.json describes %s, which is not a route", key)
		}
		checkRefs(t, doc, doc)
	})
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func asList(v any) []any { l, _ := v.([]any); return l }

// resolve follows a local $ref.
func resolve(doc, v any) any {
	ref, ok := dig(v, "$ref").(string)
	if !ok {
		return v
	}
	return dig(doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
}

// checkRefs fails for every $ref that points nowhere.
func checkRefs(t *testing.T, doc, v any) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			if !strings.HasPrefix(ref, "#/") || resolve(doc, x) == nil {
				t.Errorf("$ref %s points nowhere", ref)
			}
		}
		for _, c := range x {
			checkRefs(t, doc, c)
		}
	case []any:
		for _, c := range x {
			checkRefs(t, doc, c)
		}
	}
}
