package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sportello/sportello/internal/eligibility"
)

// cmdEligibility lists, checks and runs the benefit screeners. It needs no
// database: the questionnaires are embedded, or read from a file.
func cmdEligibility(ctx context.Context, e env) error {
	verb, e, err := sub(e, "eligibility", "list", "validate", "eval")
	if err != nil {
		return err
	}
	switch verb {
	case "list":
		return eligibilityList(e)
	case "validate":
		return eligibilityValidate(e)
	default:
		return eligibilityEval(e)
	}
}

// parseFlags parses a subcommand's own flags, which bind no configuration.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return ErrUsage // the flag package printed the problem or the help
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return ErrUsage
	}
	return nil
}

func eligibilityFlags(verb string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet("sportello eligibility "+verb, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

type benefitSummary struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type questionnaireSummary struct {
	ID       string           `json:"id"`
	Version  string           `json:"version"`
	Title    string           `json:"title"`
	Benefits []benefitSummary `json:"benefits"`
}

func eligibilityList(e env) error {
	fs := eligibilityFlags("list", e)
	lang := fs.String("lang", "it", "language of the titles and names (it, en, fr, ar, es)")
	if err := parseFlags(fs, e.args); err != nil {
		return err
	}
	qs, err := eligibility.Builtin()
	if err != nil {
		return err
	}
	out := make([]questionnaireSummary, 0, len(qs))
	for _, q := range qs {
		s := questionnaireSummary{ID: q.ID, Version: q.Version, Title: q.Title.In(*lang)}
		for _, b := range q.Benefits {
			s.Benefits = append(s.Benefits, benefitSummary{ID: b.ID, Name: b.Name.In(*lang)})
		}
		out = append(out, s)
	}
	return writeJSON(e.stdout, out)
}

// questionnaireFlags binds --questionnaire and --file: exactly one names
// the questionnaire to use.
func questionnaireFlags(fs *flag.FlagSet) (id, file *string) {
	id = fs.String("questionnaire", "", "id of a shipped questionnaire (see 'sportello eligibility list')")
	file = fs.String("file", "", "path of a questionnaire JSON file, instead of --questionnaire")
	return id, file
}

func loadQuestionnaire(fs *flag.FlagSet, e env, id, file string) (*eligibility.Questionnaire, error) {
	w := e.stderr
	switch {
	case id == "" && file == "":
		fmt.Fprintf(w, "%s: --questionnaire or --file is required\n", fs.Name())
		return nil, ErrUsage
	case id != "" && file != "":
		fmt.Fprintf(w, "%s: give --questionnaire or --file, not both\n", fs.Name())
		return nil, ErrUsage
	case file != "":
		data, err := readLimited(e.stdin, file, eligibility.MaxSize)
		if err != nil {
			return nil, err
		}
		q, err := eligibility.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		return q, nil
	}
	qs, err := eligibility.Builtin()
	if err != nil {
		return nil, err
	}
	q, ok := eligibility.Find(qs, id)
	if !ok {
		return nil, fmt.Errorf("--questionnaire: no questionnaire %q (see 'sportello eligibility list')", id)
	}
	return q, nil
}

// readLimited reads a file, or stdin for "-", refusing more than limit
// bytes.
func readLimited(stdin io.Reader, name string, limit int64) ([]byte, error) {
	r := stdin
	if name == "-" {
		if stdin == nil {
			return nil, errors.New("no standard input to read")
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, limit)
	}
	return data, nil
}

func eligibilityValidate(e env) error {
	fs := eligibilityFlags("validate", e)
	id, file := questionnaireFlags(fs)
	if err := parseFlags(fs, e.args); err != nil {
		return err
	}
	q, err := loadQuestionnaire(fs, e, *id, *file)
	if err != nil {
		return err
	}
	missing := q.MissingTranslations()
	if missing == nil {
		missing = []string{}
	}
	return writeJSON(e.stdout, map[string]any{
		"id":      q.ID,
		"version": q.Version,
		"valid":   true,
		// Texts fall back to Italian, then English: a warning, not an error.
		"missing_translations": missing,
	})
}

// maxAnswers bounds an answers file: a few hundred answers at most.
const maxAnswers = 1 << 20

func eligibilityEval(e env) error {
	fs := eligibilityFlags("eval", e)
	id, file := questionnaireFlags(fs)
	answersFile := fs.String("answers", "", `JSON file of answers, {"question_id": answer, ...}; "-" reads stdin`)
	date := fs.String("date", "", "evaluate on this date, YYYY-MM-DD (default today)")
	lang := fs.String("lang", "it", "language of the explanations (it, en, fr, ar, es)")
	if err := parseFlags(fs, e.args); err != nil {
		return err
	}
	if err := required(fs, e.stderr, "answers", *answersFile); err != nil {
		return err
	}
	q, err := loadQuestionnaire(fs, e, *id, *file)
	if err != nil {
		return err
	}
	on := time.Now()
	if *date != "" {
		if on, err = time.Parse(time.DateOnly, *date); err != nil {
			return fmt.Errorf("--date: %q is not a date YYYY-MM-DD", *date)
		}
	}
	data, err := readLimited(e.stdin, *answersFile, maxAnswers)
	if err != nil {
		return err
	}
	answers, err := decodeAnswers(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *answersFile, err)
	}
	res, err := eligibility.Evaluate(q, answers, on, *lang)
	if err != nil {
		return fmt.Errorf("%s: %w", *answersFile, err)
	}
	return writeJSON(e.stdout, res)
}

// decodeAnswers reads one JSON object of answers and nothing after it.
func decodeAnswers(data []byte) (eligibility.Answers, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var answers eligibility.Answers
	if err := dec.Decode(&answers); err != nil {
		return nil, fmt.Errorf("not a JSON object of answers: %w", err)
	}
	if answers == nil {
		return nil, errors.New(`not a JSON object of answers: write {"question_id": answer, ...}`)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object of answers")
	}
	return answers, nil
}
