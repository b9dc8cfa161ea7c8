package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/store"
)

// cmdDirectory imports and exports an organisation's directory of
// services in Open Referral HSDS 3.0 (docs/DIRECTORY.md):
//
//	sportello directory import --org SLUG [--replace] [--lenient] PATH
//	sportello directory export --org SLUG --format json|csv --out PATH
//
// PATH is a directory holding a tabular data package (datapackage.json and
// CSV files) or a JSON file. An import with any problem writes nothing and
// lists every problem with its file, row or JSON path.
func cmdDirectory(ctx context.Context, e env) error {
	verb, e, err := sub(e, "directory", "import", "export")
	if err != nil {
		return err
	}
	fs, cfg := flags("directory "+verb, e, false)
	org := fs.String("org", "", "organisation slug")
	var replace, lenient *bool
	var format, out *string
	if verb == "import" {
		replace = fs.Bool("replace", false, "delete the organisation's directory first")
		lenient = fs.Bool("lenient", false, "accept, as warnings, optional references to records not in the data and coordinates outside WGS 84 (as in Open Referral's example data)")
	} else {
		format = fs.String("format", "json", "json or csv")
		out = fs.String("out", "", "the JSON file, or the directory of the CSV package, to write")
	}
	// The import path is the one positional argument, before or after the
	// flags.
	if err := fs.Parse(e.args); err != nil {
		return ErrUsage
	}
	rest := fs.Args()
	var path string
	if verb == "import" && len(rest) > 0 {
		path, rest = rest[0], rest[1:]
	}
	if err := parse(fs, cfg, rest); err != nil {
		return err
	}
	if err := required(fs, e.stderr, "org", *org); err != nil {
		return err
	}
	if verb == "import" && path == "" {
		fmt.Fprintln(e.stderr, "usage: sportello directory import --org SLUG [--replace] [--lenient] PATH")
		return ErrUsage
	}
	if verb == "export" {
		if err := required(fs, e.stderr, "out", *out); err != nil {
			return err
		}
		if *format != "json" && *format != "csv" {
			return fmt.Errorf("--format: %q is neither json nor csv", *format)
		}
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	if verb == "export" {
		set, err := st.DirectoryExport(ctx, o.ID)
		if err != nil {
			return err
		}
		if err := writeDirectory(set, *format, *out); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "exported %d records to %s\n", set.Len(), *out)
		return nil
	}
	set, err := readDirectory(path)
	if err != nil {
		return err
	}
	res, err := st.ImportDirectory(ctx, o.ID, set, store.ImportOptions{Replace: *replace, Lenient: *lenient})
	var inv *hsds.Invalid
	if errors.As(err, &inv) {
		for _, p := range inv.Problems {
			fmt.Fprintln(e.stderr, p.String())
		}
		return fmt.Errorf("refused: %d problems, nothing imported", len(inv.Problems))
	}
	if err != nil {
		return describe(err)
	}
	for _, p := range res.Warnings {
		fmt.Fprintln(e.stderr, "warning: "+p.String())
	}
	fmt.Fprintf(e.stdout, "imported %d records, %d services\n", res.Records, res.Services)
	return nil
}

// readDirectory reads a tabular package directory or a JSON file.
func readDirectory(path string) (*hsds.Set, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return hsds.ParseCSV(os.DirFS(path))
	}
	if fi.Size() > 512<<20 {
		return nil, fmt.Errorf("%s: larger than 512 MB", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return hsds.ParseJSON(filepath.Base(path), data)
}

func writeDirectory(set *hsds.Set, format, out string) error {
	if format == "csv" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		return set.WriteCSV(func(name string) (io.WriteCloser, error) {
			return os.Create(filepath.Join(out, name))
		})
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := set.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
