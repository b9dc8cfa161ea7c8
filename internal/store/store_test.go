package store_test

import (
	"errors"
	"path/filepath"

	"context"
	"github.com/sportello/sportello/internal/model"
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

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.SQLite)
	org := &model.Organization{Slug: "bk", Name: "Backup"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, out); err == nil {
		t.Error("backup over an existing file: got nil error")
	}
	c, err := store.Open(ctx, out, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.OrganizationBySlug(ctx, "bk")
	if err != nil {
		t.Fatalf("organisation missing from the backup: %v", err)
	}
	if got.Name != "Backup" {
		t.Errorf("got %q, want Backup", got.Name)
	}
	if pg := storetest.Engines(); len(pg) > 1 {
		p := storetest.Open(t, store.Postgres)
		if err := p.Backup(ctx, out+"2"); !errors.Is(err, store.ErrBackupPostgres) {
			t.Errorf("postgres backup: got %v, want ErrBackupPostgres", err)
		}
	}
}
