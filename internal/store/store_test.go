package store_test

import (
	"context"
	"testing"

	"github.com/sportello/sportello/internal/store"
	"github.com/sportello/sportello/internal/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		n, err := s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("second Migrate applied %d migrations, want 0", n)
		}
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v < 1 {
			t.Errorf("schema version %d, want >= 1", v)
		}
	})
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		engine  store.Engine
		wantErr bool
	}{
		{"postgres://u@localhost:5432/db", store.Postgres, false},
		{"postgresql://u@localhost/db?sslmode=disable", store.Postgres, false},
		{"postgres://", "", true},
		{"mysql://x", "", true},
		{"", "", true},
		{"/var/lib/sportello/sportello.db", store.SQLite, false},
		{"sqlite:///tmp/x.db", store.SQLite, false},
		{"sqlite://", "", true},
	}
	for _, tt := range tests {
		got, _, err := store.ParseURL(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseURL(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.engine {
			t.Errorf("ParseURL(%q) = %q, want %q", tt.in, got, tt.engine)
		}
	}
}
