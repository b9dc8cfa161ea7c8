package eligibility

import (
	"fmt"
	"time"

	"github.com/sportello/sportello/internal/model"
)

// PromptFor returns question id of q as it is asked in lang on the date
// on, whether or not it is still to be asked: a form that goes back to an
// answered question shows it again with it.
func PromptFor(q *Questionnaire, id string, on time.Time, lang string) (Prompt, error) {
	ev, err := prepare(q, nil, on, lang)
	if err != nil {
		return Prompt{}, err
	}
	qi, ok := ev.c.questions[id]
	if !ok {
		return Prompt{}, model.Invalid(id, "error.eligibility.unknown_question",
			fmt.Sprintf("no question %q in this questionnaire", id), map[string]any{"Question": id, "Value": id})
	}
	return ev.prompt(qi, nil), nil
}

// Question returns q's question id, if it has one.
func (q *Questionnaire) Question(id string) (*Question, bool) {
	for i := range q.Questions {
		if q.Questions[i].ID == id {
			return &q.Questions[i], true
		}
	}
	return nil, false
}
