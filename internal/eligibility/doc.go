// Package eligibility screens a person for benefits: it asks a
// questionnaire's questions, evaluates its rules on a given date and
// explains, in the person's language, which benefits they are likely to
// get, which they are not, and what is still needed to tell.
//
// It copies the concepts of OpenFisca and mes-aides into a small data
// format rather than code, so that a desk administrator can update a
// threshold each January or add a local aid without a release:
//
//   - a [Questionnaire] is a versioned JSON document with typed questions
//     (yes/no, choice, number, money, date, age, household), each shown only
//     when its show_if condition holds;
//   - [Parameter] values carry the date from which they apply and their
//     legal reference, so an evaluation on 2025-06-01 uses the 2025
//     figures and one on 2026-06-01 the 2026 ones, and both can be
//     explained later;
//   - a [Benefit] is a list of conditions over the answers, parameters,
//     named formulas and predicates, with the sentence to show when each
//     holds or fails, an amount formula, documents and next steps.
//
// # Three-valued logic
//
// A condition is true, false or unknown. A comparison with a question
// that is shown but not answered is unknown; "all" is false as soon as one
// part is false, "any" true as soon as one part is true, so a benefit is
// settled with as few answers as possible. A comparison with a question
// that is hidden (its show_if is false) is false whatever the operator: the
// person has no permit type when they are Italian, so "permit is
// ue_lungo_periodo" and "permit is not lavoro_stagionale" are both false;
// write "any: [citizenship is it, permit is ...]" to say what you mean.
//
// A benefit is not_eligible when one of its conditions is false,
// need_more_info when none is false and one is unknown, likely_eligible
// when all hold. [NextQuestions] lists the questions behind the unknown
// conditions, and only those, in the questionnaire's order.
//
// # Explanations
//
// Each of a benefit's conditions gives one line: met, not met or unknown,
// with its sentence and the dated parameters it read. A condition that is
// false only because it compares questions the person was never asked
// (NASpI's "the job ended at most 68 days ago" for someone who lost no
// job) is left out when another condition failed on the answers given:
// its "fails" sentence would state something untrue. To be sure a benefit
// always explains itself, guard conditions on shown-if questions with a
// condition on the question that shows them ("lost_job is true").
//
// The outcome is an orientation, not a decision: each questionnaire
// carries a notice saying so in every language, and every result repeats
// it.
//
// The package is pure: no I/O but reading the fs.FS it is given, no clock
// (callers pass the date), no mutable state shared between calls.
package eligibility
