package demo

import "github.com/sportello/sportello/internal/model"

// The organisation, its staff and its citizens are fiction. Phone numbers
// use the 555 block and e-mail addresses the example domains, so that no
// demo reply can reach a real person.

const (
	orgName  = "Sportello Demo — Associazione Consumatori e Migranti"
	timeZone = "Europe/Rome"
)

// person is a demo user. Every one logs in with Options.Password.
type person struct {
	key       string // used by the conversation scripts
	name      string
	email     string
	role      model.Role
	languages []string
	maxChats  int
}

var users = []person{
	{"admin", "Giulia Ferretti", "admin@demo.sportello.local", model.RoleAdmin, []string{"it", "en"}, 0},
	{"marco", "Marco Bellini", "marco.bellini@demo.sportello.local", model.RoleCoordinator, []string{"it", "en"}, 0},
	{"chiara", "Chiara Russo", "chiara.russo@demo.sportello.local", model.RoleOperator, []string{"it", "en"}, 8},
	{"luca", "Luca Moretti", "luca.moretti@demo.sportello.local", model.RoleOperator, []string{"it", "fr"}, 8},
	{"karim", "Karim Benali", "karim.benali@demo.sportello.local", model.RoleMediator, []string{"ar", "fr", "it"}, 6},
	{"blessing", "Blessing Okafor", "blessing.okafor@demo.sportello.local", model.RoleMediator, []string{"en", "pcm", "it"}, 6},
	{"mamadou", "Mamadou Diop", "mamadou.diop@demo.sportello.local", model.RoleMediator, []string{"wo", "fr", "ff"}, 6},
	{"lamin", "Lamin Sanneh", "lamin.sanneh@demo.sportello.local", model.RoleMediator, []string{"mnk", "en"}, 6},
	{"anna", "Anna Galli", "anna.galli@demo.sportello.local", model.RoleVolunteer, []string{"it"}, 3},
}

type team struct {
	slug, name string
	members    []string // person keys
}

var teams = []team{
	{"primo-contatto", "Primo contatto", []string{"chiara", "luca", "anna", "karim", "blessing"}},
	{"legale", "Legale", []string{"marco", "chiara", "luca", "karim", "blessing", "lamin"}},
	{"lavoro", "Lavoro", []string{"marco", "chiara", "karim", "blessing", "mamadou", "lamin"}},
	{"amministrativo", "Amministrativo", []string{"chiara", "luca", "anna", "karim", "mamadou"}},
}

var channels = []struct {
	kind model.ChannelKind
	name string
}{
	{model.ChannelWeb, "Chat sul sito"},
	{model.ChannelWhatsApp, "WhatsApp dello sportello"},
	{model.ChannelSMS, "SMS"},
	{model.ChannelEmail, "Posta dello sportello"},
	{model.ChannelForm, "Modulo di contatto"},
}

// citizen is a demo contact.
type citizen struct {
	key        string // used by the conversation scripts
	name       string // may be a pseudonym
	language   string
	identities []model.Identity
	notes      string
	// Consent to data processing: given through the first channel's
	// privacy notice, or aloud to the operator consentBy; noConsent when
	// nobody has talked to them yet.
	noConsent bool
	consentBy string
	referral  bool // also agreed to be referred to the lawyer and the union
}

func wa(v string) model.Identity    { return model.Identity{Kind: model.IdentityWhatsApp, Value: v} }
func tel(v string) model.Identity   { return model.Identity{Kind: model.IdentityPhone, Value: v} }
func email(v string) model.Identity { return model.Identity{Kind: model.IdentityEmail, Value: v} }
func web(v string) model.Identity   { return model.Identity{Kind: model.IdentityWeb, Value: v} }

func ids(v ...model.Identity) []model.Identity { return v }

var contacts = []citizen{
	{key: "maria", name: "Maria Esposito", language: "it",
		identities: ids(wa("393205550101"), tel("+39 320 555 0101")),
		notes:      "Pensionata, vive sola. Preferisce essere chiamata la mattina."},
	{key: "giuseppe", name: "Giuseppe Romano", language: "it",
		identities: ids(email("giuseppe.romano@example.com"), tel("+39 335 555 0102"))},
	{key: "rosa", name: "Rosa Colombo", language: "it",
		identities: ids(web("wv-4f1c9a2e")),
		notes:      "Scrive la figlia Elena per lei."},
	{key: "cheikh", name: "Cheikh Ndiaye", language: "wo",
		identities: ids(wa("393515550104")),
		notes:      "Parla wolof e francese. Magazziniere."},
	{key: "youssef", name: "Youssef El Amrani", language: "ar",
		identities: ids(wa("393285550105"), tel("+39 328 555 0105"))},
	{key: "fatima", name: "Fatima Zahra Bennani", language: "ar",
		identities: ids(web("wv-9b7e21d4"), wa("393405550106")),
		notes:      "Due figli, il terzo in arrivo a maggio. Non ha un indirizzo e-mail."},
	{key: "ahmed", name: "Ahmed Hassan", language: "ar",
		identities: ids(tel("+39 347 555 0107"))},
	{key: "ebrima", name: "E. (pseudonimo)", language: "en",
		identities: ids(wa("2207550108")),
		notes:      "Chiede di non registrare il nome. Solo messaggi WhatsApp, mai telefonare di giorno.",
		consentBy:  "lamin", referral: true},
	{key: "precious", name: "Precious Eze", language: "pcm",
		identities: ids(wa("393895550109"))},
	{key: "joy", name: "Joy Nwosu", language: "pcm",
		identities: ids(tel("+39 329 555 0110"))},
	{key: "franco", name: "Franco Marchetti", language: "it",
		identities: ids(tel("+39 338 555 0111"))},
	{key: "antonella", name: "Antonella Greco", language: "it",
		identities: ids(email("antonella.greco@example.org"))},
	{key: "davide", name: "Davide Conti", language: "it",
		identities: ids(web("wv-c3d8e5a0"), email("davide.conti@example.com"))},
	{key: "simone", name: "Simone Ricci", language: "it",
		identities: ids(email("famiglia.ricci@example.net"))},
	{key: "grace", name: "Grace Adeyemi", language: "en",
		identities: ids(email("grace.adeyemi@example.com"))},
	{key: "awa", name: "Awa Koné", language: "fr",
		identities: ids(email("awa.kone@example.org"), tel("+39 392 555 0116"))},
	{key: "sami", name: "Sami", language: "fr",
		identities: ids(web("wv-7a2f0b61"))},
	{key: "lucia", name: "Lucia Ferraro", language: "it",
		identities: ids(wa("393315550118"))},
	{key: "ion", name: "Ion Popescu", language: "it",
		identities: ids(email("ion.popescu@example.com"), tel("+40 721 555 019")),
		notes:      "Cittadino romeno. Preferisce WhatsApp."},
	{key: "rahim", name: "Rahim Uddin", language: "en",
		identities: ids(web("wv-2e6d94bf"))},
	{key: "mohamed", name: "Mohamed Saleh", language: "ar",
		identities: ids(email("mohamed.saleh@example.net"))},
	{key: "fatou", name: "Fatou Sarr", language: "wo",
		identities: ids(wa("393275550122")),
		notes:      "Parla wolof e francese. Bracciante nelle serre."},
	{key: "paolo", name: "Paolo Santoro", language: "it",
		identities: ids(email("paolo.santoro@example.org"))},
	{key: "modou", name: "Modou Jallow", language: "en",
		identities: ids(tel("+39 324 555 0124")),
		notes:      "Speaks Mandinka and English."},
	{key: "teresa", name: "Teresa Marino", language: "it",
		identities: ids(web("wv-58af13c7"), tel("+39 349 555 0125"))},
	{key: "olena", name: "Olena (nome di fantasia)", language: "it",
		identities: ids(web("wv-e04b6c19")),
		notes:      "Scrive dal telefono di un'amica: non chiamare, non scrivere per primi.",
		noConsent:  true},
	{key: "kwame", name: "Kwame Mensah", language: "en",
		identities: ids(email("kwame.mensah@example.com")),
		noConsent:  true},
}
