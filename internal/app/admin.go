package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

func cmdMigrate(ctx context.Context, e env) error {
	fs, cfg := flags("migrate", e, false)
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "applied %d migration(s); schema version %d\n", n, v)
	return nil
}

// sub splits "org add ..." into the verb and its arguments.
func sub(e env, name string, verbs ...string) (string, env, error) {
	if len(e.args) == 0 || !contains(verbs, e.args[0]) {
		fmt.Fprintf(e.stderr, "usage: sportello %s %s ...\n", name, strings.Join(verbs, "|"))
		return "", e, ErrUsage
	}
	verb := e.args[0]
	e.args = e.args[1:]
	return verb, e, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// required reports the first empty required flag.
func required(fs interface{ Name() string }, w io.Writer, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			fmt.Fprintf(w, "%s: --%s is required\n", fs.Name(), pairs[i])
			return ErrUsage
		}
	}
	return nil
}

func cmdOrg(ctx context.Context, e env) error {
	_, e, err := sub(e, "org", "add")
	if err != nil {
		return err
	}
	fs, cfg := flags("org add", e, false)
	slug := fs.String("slug", "", "short name used in URLs, e.g. caritas-foggia")
	name := fs.String("name", "", "display name")
	tz := fs.String("time-zone", "Europe/Rome", "IANA time zone")
	lang := fs.String("language", "it", "default language of the desk")
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	if err := required(fs, e.stderr, "slug", *slug, "name", *name); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	o := &model.Organization{Slug: *slug, Name: *name, TimeZone: *tz, Language: *lang}
	if err := st.CreateOrganization(ctx, o); err != nil {
		return describe(err)
	}
	fmt.Fprintf(e.stdout, "created organisation %s (id %d)\n", o.Slug, o.ID)
	return nil
}

func cmdUser(ctx context.Context, e env) error {
	_, e, err := sub(e, "user", "add")
	if err != nil {
		return err
	}
	fs, cfg := flags("user add", e, false)
	org := fs.String("org", "", "organisation slug")
	email := fs.String("email", "", "e-mail address, used to sign in")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "admin, coordinator, operator, mediator or volunteer")
	langs := fs.String("languages", "", "languages spoken, comma-separated (e.g. it,en,ar)")
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	if err := required(fs, e.stderr, "org", *org, "email", *email, "name", *name, "role", *role); err != nil {
		return err
	}
	if !model.Role(*role).Valid() {
		return fmt.Errorf("--role: %q is not one of admin, coordinator, operator, mediator, volunteer", *role)
	}
	password, generated, err := readPassword(e.stdin)
	if err != nil {
		return err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return describe(err)
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	hash, err := auth.HashPassword(password, auth.DefaultPasswordParams())
	if err != nil {
		return err
	}
	u := &model.User{OrgID: o.ID, Email: *email, Name: *name, Role: model.Role(*role), Languages: strings.Split(*langs, ","), Active: true, PasswordHash: hash}
	if err := st.CreateUser(ctx, u); err != nil {
		return describe(err)
	}
	_ = st.Audit(ctx, &model.AuditEntry{OrgID: o.ID, Action: "user_create", TargetType: "user", TargetID: u.ID, Detail: "role=" + *role + " via command line"})
	fmt.Fprintf(e.stdout, "created user %s (id %d, %s) in %s\n", u.Email, u.ID, u.Role, o.Slug)
	if generated {
		fmt.Fprintf(e.stdout, "password: %s\n(shown once: give it to the user, who can change it after signing in)\n", password)
	}
	return nil
}

// readPassword takes the password from stdin when it is piped, and
// otherwise generates one.
func readPassword(stdin io.Reader) (pw string, generated bool, err error) {
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice != 0 {
			return auth.GeneratePassword(), true, nil
		}
	}
	if stdin == nil {
		return auth.GeneratePassword(), true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, fmt.Errorf("reading the password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return auth.GeneratePassword(), true, nil
	}
	return line, false, nil
}

func cmdToken(ctx context.Context, e env) error {
	_, e, err := sub(e, "token", "create")
	if err != nil {
		return err
	}
	fs, cfg := flags("token create", e, false)
	org := fs.String("org", "", "organisation slug")
	user := fs.String("user", "", "e-mail of the user the token acts as")
	name := fs.String("name", "command line", "a name to recognise the token by")
	asJSON := fs.Bool("json", false, `print {"token": "..."}`)
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	if err := required(fs, e.stderr, "org", *org, "user", *user); err != nil {
		return err
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByEmail(ctx, o.ID, *user)
	if err != nil {
		return fmt.Errorf("--user: no user %q in %s", *user, o.Slug)
	}
	d, err := desk.New(st, cfg.Logger(e.stderr), desk.Options{})
	if err != nil {
		return err
	}
	secret, _, err := d.CreateAPIToken(ctx, o.ID, u.ID, 0, *name)
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]string{"token": secret})
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func cmdBackup(ctx context.Context, e env) error {
	fs, cfg := flags("backup", e, false)
	out := fs.String("out", "", "file to write the copy to (must not exist)")
	if err := parse(fs, cfg, e.args); err != nil {
		return err
	}
	if err := required(fs, e.stderr, "out", *out); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup written to %s\n", *out)
	return nil
}

// describe turns a domain error into one line for the terminal.
func describe(err error) error {
	if me, ok := model.AsError(err); ok {
		if me.Field != "" {
			return fmt.Errorf("--%s: %s", strings.ReplaceAll(me.Field, "_", "-"), me.Message)
		}
		return fmt.Errorf("%s", me.Message)
	}
	return err
}
