package locale

// category is a CLDR plural category.
type category uint8

const (
	zero category = iota
	one
	two
	few
	many
	other
	numCategories
)

var categoryNames = [numCategories]string{"zero", "one", "two", "few", "many", "other"}

func (c category) String() string { return categoryNames[c] }

func parseCategory(s string) (category, bool) {
	for c, name := range categoryNames {
		if s == name {
			return category(c), true
		}
	}
	return 0, false
}

// categorySet is a small bit set of categories.
type categorySet uint8

func setOf(cs ...category) categorySet {
	var s categorySet
	for _, c := range cs {
		s |= 1 << c
	}
	return s
}

func (s categorySet) has(c category) bool { return s&(1<<c) != 0 }

// pluralRule is a CLDR cardinal rule restricted to whole numbers, which is
// all the desk counts (messages, minutes, conversations).
type pluralRule struct {
	pick func(n uint64) category
	// required are the categories a plural message must give; used adds
	// the ones the rule can pick but that may fall back to "other"
	// (the "many" of millions in Romance languages).
	required, used categorySet
}

// category returns the category of n; CLDR rules read its absolute value.
func (r pluralRule) category(n int64) category {
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	return r.pick(u)
}

// pluralRuleFor returns the cardinal rule of a base language ("ar"). A
// language without a rule here gets one/other, right for most European
// languages; add its CLDR rule here when a catalog needs more.
func pluralRuleFor(base string) pluralRule {
	switch base {
	case "ar":
		return pluralRule{pick: arabic, required: setOf(zero, one, two, few, many, other), used: setOf(zero, one, two, few, many, other)}
	case "fr":
		return pluralRule{pick: french, required: setOf(one, other), used: setOf(one, many, other)}
	case "it", "es":
		// it: one is "i = 1 and v = 0", es: "n = 1"; the same on integers.
		return pluralRule{pick: romance, required: setOf(one, other), used: setOf(one, many, other)}
	default:
		return pluralRule{pick: oneOther, required: setOf(one, other), used: setOf(one, other)}
	}
}

func oneOther(n uint64) category {
	if n == 1 {
		return one
	}
	return other
}

// million is CLDR's "many" for it, es, fr on integers:
// e = 0 and i != 0 and i % 1000000 = 0 and v = 0.
func million(n uint64) bool { return n != 0 && n%1_000_000 == 0 }

func romance(n uint64) category {
	switch {
	case n == 1:
		return one
	case million(n):
		return many
	}
	return other
}

// french: one is "i = 0,1", so zero takes the singular.
func french(n uint64) category {
	switch {
	case n <= 1:
		return one
	case million(n):
		return many
	}
	return other
}

func arabic(n uint64) category {
	switch m := n % 100; {
	case n == 0:
		return zero
	case n == 1:
		return one
	case n == 2:
		return two
	case m >= 3 && m <= 10:
		return few
	case m >= 11:
		return many
	}
	return other
}
