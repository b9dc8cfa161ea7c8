package demo

import (
	"time"

	"github.com/sportello/sportello/internal/model"
)

// The conversations below are fiction, written the way citizens and
// operators of a sportello write: short, plain, sometimes with a mistake.
// Rules and procedures are described as they stood when the demo was
// written; the demo is no legal advice.

// when places a conversation's first message, in Rome's wall-clock time,
// relative to Options.Now.
type when struct {
	daysAgo      int
	onWeekday    bool
	weekday      time.Weekday // with onWeekday: the most recent one before today
	hour, minute int
}

func daysAgo(n, hour, minute int) when { return when{daysAgo: n, hour: hour, minute: minute} }

// last staggers after-hours arrivals onto a weekday: Friday evening,
// Saturday, Sunday night.
func last(wd time.Weekday, hour, minute int) when {
	return when{onWeekday: true, weekday: wd, hour: hour, minute: minute}
}

type stepKind int

const (
	stepIn    stepKind = iota // the citizen writes
	stepReply                 // an operator answers
	stepNote                  // an internal note
	stepRoute                 // someone sets the team and the assignee
)

type step struct {
	kind     stepKind
	after    time.Duration // stepIn: after the first message
	by       string        // person key of the author or the one routing
	text     string
	team     string // stepRoute: team slug
	assignee string // stepRoute: person key, "" for the team's queue
}

func in(after time.Duration, text string) step {
	return step{kind: stepIn, after: after, text: text}
}
func reply(by, text string) step { return step{kind: stepReply, by: by, text: text} }
func note(by, text string) step  { return step{kind: stepNote, by: by, text: text} }
func route(by, team, assignee string) step {
	return step{kind: stepRoute, by: by, team: team, assignee: assignee}
}

const (
	minute = time.Minute
	hour   = time.Hour
	day    = 24 * time.Hour
)

// conversation is one scripted case. The first route step also sets the
// subject, tags, priority and restriction; the status is set last, so that
// a citizen's later message does not reopen it.
type conversation struct {
	contact    string // citizen key
	channel    model.ChannelKind
	language   string
	start      when
	subject    string
	tags       []string
	priority   model.Priority
	restricted bool
	status     model.Status
	snooze     time.Duration // with StatusSnoozed: how long from now
	script     []step
}

var conversations = []conversation{
	{ // 1
		contact: "maria", channel: model.ChannelWhatsApp, language: "it", start: daysAgo(9, 10, 12),
		subject: "Bonus sociale luce e gas", tags: []string{"bonus", "bollette"},
		priority: model.PriorityNormal, status: model.StatusResolved,
		script: []step{
			in(0, "Buongiorno, sono Maria Esposito. Al CAF mi hanno detto che c'è uno sconto sulle bollette per chi ha la pensione bassa. Devo fare domanda? Ho 74 anni e prendo la minima."),
			route("marco", "amministrativo", "chiara"),
			reply("chiara", "Buongiorno signora Esposito, sono Chiara dello sportello. Il bonus sociale per luce e gas non si chiede: arriva da solo in bolletta se ha un ISEE valido sotto la soglia. Ha già fatto l'ISEE quest'anno?"),
			in(40*minute, "L'ho fatto l'anno scorso, quest'anno ancora no."),
			reply("chiara", "Allora basta rifare la DSU per l'ISEE, anche al CAF, ed è gratuita. Porti il documento, la tessera sanitaria, il saldo e la giacenza media del conto o del libretto postale e, se è in affitto, il contratto. Quando l'ISEE è pronto lo sconto parte in automatico: non deve mandare niente alla compagnia."),
			in(day+2*hour, "Fatto oggi al CAF, dicono che arriva tra una decina di giorni. Grazie signorina, molto gentile."),
			reply("chiara", "Benissimo! Se fra due o tre bollette non vede lo sconto ci riscriva qui e controlliamo insieme. Buona giornata."),
		},
	},
	{ // 2
		contact: "giuseppe", channel: model.ChannelEmail, language: "it", start: daysAgo(8, 16, 40),
		subject: "Contributo affitto: domanda al Comune", tags: []string{"affitto"},
		priority: model.PriorityNormal, status: model.StatusPending,
		script: []step{
			in(0, `Buonasera,

ho letto che il Comune ha aperto il bando per il contributo affitto. Sono in affitto da sei anni, lavoro part-time e mia moglie è disoccupata, abbiamo due figli. Possiamo fare domanda? Che documenti servono?

Cordiali saluti
Giuseppe Romano`),
			route("marco", "amministrativo", "luca"),
			reply("luca", `Gentile signor Romano,

dalla sua descrizione potete rientrare. Per la domanda servono di solito:
- ISEE in corso di validità;
- contratto di affitto registrato e ricevute dei pagamenti dell'anno;
- documento d'identità e codice fiscale di chi firma;
- IBAN su cui ricevere il contributo.

La domanda si presenta online sul sito del Comune, con SPID o CIE. Se preferisce la compiliamo insieme allo sportello: intanto può mandarmi i documenti rispondendo a questa e-mail.

Cordiali saluti,
Luca Moretti
Sportello Demo`),
			in(day+hour, `Grazie mille. Le mando ISEE e contratto. Le ricevute di marzo e aprile non le trovo, il padrone di casa le aveva scritte a mano. Vanno bene lo stesso?

Giuseppe Romano`),
			reply("luca", "Vanno bene anche le ricevute scritte a mano, purché ci siano firma del proprietario, importo e mese. In alternativa basta l'estratto conto con i bonifici. Appena ha tutto preparo la domanda: il bando scade a fine mese."),
			note("luca", "In attesa delle ricevute di marzo e aprile. Controllare gli estremi di registrazione del contratto."),
		},
	},
	{ // 3
		contact: "rosa", channel: model.ChannelWeb, language: "it", start: daysAgo(7, 11, 20),
		subject: "SPID per la mamma anziana", tags: []string{"spid"},
		priority: model.PriorityLow, status: model.StatusResolved,
		script: []step{
			in(0, "Salve, scrivo per mia madre Rosa Colombo, ha 81 anni. Le serve lo SPID per vedere il cedolino della pensione, ma non ha lo smartphone. Come possiamo fare?"),
			route("chiara", "primo-contatto", "anna"),
			reply("anna", "Buongiorno, sono Anna, volontaria dello sportello. Se sua madre ha la carta d'identità elettronica, può entrare nel sito dell'INPS con quella al posto dello SPID, usando il suo telefono e l'app CieID. Ha la carta elettronica?"),
			in(25*minute, "Sì, ce l'ha, ma il PIN non lo troviamo più."),
			reply("anna", "Nessun problema: il PIN si può ristampare all'anagrafe del Comune, basta portare la carta. Poi entrate insieme dal suo telefono. Se volete, il mercoledì mattina vi aiutiamo noi allo sportello."),
			in(hour+10*minute, "Perfetto, andiamo in Comune giovedì. Grazie!"),
			note("anna", "Risolto con la CIE. Nessun seguito."),
		},
	},
	{ // 4
		contact: "cheikh", channel: model.ChannelWhatsApp, language: "fr", start: daysAgo(6, 18, 35),
		subject: "PEC e SPID", tags: []string{"pec", "spid"},
		priority: model.PriorityNormal,
		script: []step{
			in(0, "Bonsoir. Je m'appelle Cheikh Ndiaye. Mon employeur me demande une adresse PEC pour m'envoyer les documents du travail. Je ne sais pas ce que c'est. Vous pouvez m'aider ?"),
			in(2*minute, "Je n'ai pas encore le SPID non plus."),
			route("luca", "amministrativo", "mamadou"),
			reply("mamadou", "Bonjour Cheikh, ici Mamadou, médiateur du guichet. Na nga def ? La PEC, c'est une adresse e-mail certifiée : un message envoyé par PEC vaut comme une lettre recommandée. On peut en ouvrir une ensemble, ça coûte quelques euros par an. Pour le SPID, il faut un passeport ou une carte d'identité valide, la carte sanitaire avec le code fiscal, un numéro de téléphone et une adresse e-mail à toi."),
			in(20*hour, "Mangi fi rekk, jërëjëf. J'ai mon passeport, le permis de séjour et la carte sanitaire. Je peux venir quand ?"),
			reply("mamadou", "Parfait. Viens jeudi à 10h au guichet avec le passeport, le permis de séjour, la carte sanitaire et ton téléphone. On fait le SPID et la PEC le même jour."),
			note("mamadou", "Rendez-vous jeudi 10h pour SPID et PEC. Vérifier que le passeport est encore valide, sinon pas de SPID."),
		},
	},
	{ // 5
		contact: "youssef", channel: model.ChannelWhatsApp, language: "ar", start: daysAgo(5, 9, 48),
		subject: "Rinnovo permesso di soggiorno per lavoro", tags: []string{"permesso"},
		priority: model.PriorityHigh, status: model.StatusPending,
		script: []step{
			in(0, "السلام عليكم. تنتهي صلاحية بطاقة إقامتي يوم 20 من الشهر القادم. ماذا يجب أن أفعل لتجديدها؟ أعمل في مطعم بعقد غير محدد المدة."),
			route("marco", "legale", "karim"),
			reply("karim", "وعليكم السلام أخي يوسف، معك كريم، الوسيط الثقافي في مكتب المساعدة. يجب تقديم طلب التجديد قبل انتهاء صلاحية البطاقة، فالأفضل أن تبدأ من الآن. الطلب يُرسَل بالملف البريدي (الكيت) من مكتب البريد. أحضر معك: جواز السفر، بطاقة الإقامة الحالية، عقد العمل، آخر ثلاثة كشوف رواتب، وعقد السكن. سنملأ الاستمارة معاً."),
			in(3*hour, "شكراً جزيلاً. هل أحتاج إلى موعد؟ وكم يكلف الملف؟"),
			reply("karim", "لا تحتاج إلى موعد، تعال يوم الثلاثاء أو الخميس صباحاً بين 9:30 و13:00. ستحتاج إلى طابع (marca da bollo) بقيمة 16 يورو، وهناك مبلغ آخر يُدفع في مكتب البريد، سأشرح لك التفاصيل عندما نلتقي. بعد إرسال الملف يعطيك مكتب البريد وصلاً، احتفظ به جيداً لأنه يثبت أنك قدمت طلب التجديد."),
			in(day+hour, "حسناً، سآتي يوم الخميس إن شاء الله. شكراً أخي."),
			note("karim", "Giovedì mattina compiliamo il kit postale. Controllare che porti le ultime tre buste paga e il contratto a tempo indeterminato."),
		},
	},
	{ // 6
		contact: "fatima", channel: model.ChannelWeb, language: "ar", start: daysAgo(4, 15, 10),
		subject: "Assegno Unico e ISEE", tags: []string{"assegno unico", "isee"},
		priority: model.PriorityNormal,
		script: []step{
			in(0, "مرحباً، عندي طفلان وأنتظر مولوداً ثالثاً في شهر مايو إن شاء الله. زوجي يعمل هنا منذ ثلاث سنوات. هل يحق لنا الحصول على المساعدة الشهرية للأطفال (Assegno Unico)؟"),
			route("chiara", "amministrativo", "karim"),
			reply("karim", "أهلاً بك أختي فاطمة، معك كريم. نعم، على الأغلب يحق لكم ذلك: هذه المساعدة تُصرف عن كل طفل حتى عمر 21 سنة، ويمكن طلبها للمولود الجديد ابتداءً من الشهر السابع من الحمل. هل تحصلون عليها الآن عن الطفلين؟"),
			in(30*minute, "نعم نحصل عليها عن الطفلين، لكن المبلغ قليل. قالوا لنا إننا لم نقدم الـISEE."),
			reply("karim", "هذا هو السبب: بدون ISEE تحصلون على المبلغ الأدنى فقط. قدموا الـISEE في أقرب وقت في أي مركز CAF، وهو مجاني. إذا قدمتموه قبل 30 يونيو، ستدفع لكم INPS الفرق عن الأشهر الماضية ابتداءً من مارس. وعندما يولد الطفل نضيفه إلى نفس الطلب، لا حاجة إلى طلب جديد."),
			note("karim", "Famiglia con due figli, il terzo in arrivo a maggio. Manca l'ISEE: indirizzata al CAF. Ricontattare dopo la nascita per aggiungere il neonato alla domanda."),
		},
	},
	{ // 7
		contact: "ahmed", channel: model.ChannelSMS, language: "ar", start: daysAgo(3, 8, 15),
		subject: "Preavviso di distacco della luce", tags: []string{"bollette", "bonus"},
		priority: model.PriorityHigh,
		script: []step{
			in(0, "السلام عليكم. وصلتني رسالة من شركة الكهرباء يقولون فيها إنهم سيقطعون التيار بعد 10 أيام لأنني لم أدفع فاتورتين. عندي أطفال صغار في البيت. ماذا أفعل؟"),
			in(4*minute, "أنا أحمد حسن، هذا رقمي."),
			route("marco", "amministrativo", "karim"),
			reply("karim", "وعليكم السلام أخي أحمد، معك كريم من مكتب المساعدة. لا تقلق، ما زال هناك وقت. أولاً اتصل بالشركة واطلب تقسيط المبلغ (rateizzazione)، هذا من حقك. ثانياً إذا كان دخلكم منخفضاً قدّم الـISEE، فقد تحصل على التخفيض الاجتماعي في الفواتير (bonus sociale). هل تستطيع أن تأتي غداً إلى المكتب ومعك الفاتورتان ورسالة الإنذار؟"),
			in(2*hour, "نعم، سآتي غداً في الصباح. شكراً جزيلاً."),
			note("karim", "Sollecito con preavviso di distacco della luce. Chiedere la rateizzazione al fornitore e verificare il bonus sociale. Bambini piccoli in casa: priorità alta."),
		},
	},
	{ // 8: labour exploitation in the fields, restricted
		contact: "ebrima", channel: model.ChannelWhatsApp, language: "en", start: last(time.Saturday, 21, 40),
		subject: "Paga sotto contratto in agricoltura", tags: []string{"lavoro", "caporalato"},
		priority: model.PriorityUrgent, restricted: true,
		script: []step{
			in(0, "Hello. My friend give me this number. I work in the fields near here, picking tomatoes. The boss pay us 4 euro for one hour, we work 10 or 11 hours every day, also Sunday. The man who bring us with the van take 5 euro every day from our money. Is this normal in Italy?"),
			in(3*minute, "Please I don't want problem. I have permesso but it finish in 4 months."),
			route("marco", "lavoro", "lamin"),
			reply("lamin", "Hello, my name is Lamin, I am a cultural mediator at the desk. Thank you for writing to us. No, this is not normal and it is not legal: the contract for farm workers pays much more than 4 euro per hour, and nobody can take money from your pay for the transport. What you tell us stays between us. We will not contact your employer without your permission."),
			in(14*hour, "Ok thank you brother. What can I do? I need this work."),
			reply("lamin", "I understand. You don't have to decide anything now. We can meet you with our lawyer and someone from the union, in a safe place, not at the field. We can also check your pay slips and your permesso. Can you come on Wednesday at 17:00? If you cannot leave work, tell me and we find another time."),
			in(16*hour, "Wednesday is ok. I come with one friend, he has the same problem."),
			note("lamin", "He gave consent on the phone to keep his data and to talk with the lawyer and the union. About 4 euro an hour, 10-11 hours a day, the driver takes 5 euro a day. Do not write the name of the farm or of the boss in the notes until he agrees. Meeting Wednesday 17:00."),
			note("marco", "Caso riservato: ogni accesso è registrato. Avvisata l'avvocata. Possibile sfruttamento lavorativo (art. 603-bis c.p.): il percorso di protezione (art. 18 o art. 22 del Testo unico immigrazione) va proposto solo se lui lo vuole."),
		},
	},
	{ // 9
		contact: "precious", channel: model.ChannelWhatsApp, language: "pcm", start: daysAgo(6, 12, 5),
		subject: "Ricevuta del rinnovo smarrita", tags: []string{"permesso"},
		priority: model.PriorityNormal, status: model.StatusPending,
		script: []step{
			in(0, "Good afternoon ma. Abeg I wan ask. I don submit my permesso renewal for post office since December, but the ricevuta wey dem give me, I no fit find am again. E don lost. Wetin I go do now? I get work interview next week and dem dey ask for am."),
			route("chiara", "legale", "blessing"),
			reply("blessing", "Good afternoon Precious, na Blessing be this, mediator for the sportello. No worry, e get solution. If you still get the user ID and password wey dey the ricevuta, or the SMS wey Questura send you, we fit check your pratica online. If you no get dem, we go ask Questura for one paper wey show say your renewal dey go on."),
			in(2*hour, "Thank you ma. I still get the SMS from Questura for my phone, e get one number inside."),
			in(2*hour+5*minute, "Which day I fit come?"),
			reply("blessing", "Come Tuesday morning, 10 o'clock. Bring your passport, the old permesso and the phone with that SMS. We go sort am out together."),
			note("blessing", "Ricevuta del rinnovo smarrita. Martedì: verificare lo stato della pratica con il numero dell'SMS e, se serve, chiedere alla Questura un'attestazione per il colloquio di lavoro."),
		},
	},
	{ // 10
		contact: "joy", channel: model.ChannelSMS, language: "pcm", start: daysAgo(3, 17, 20),
		subject: "NASpI dopo la fine del contratto", tags: []string{"naspi", "lavoro"},
		priority: model.PriorityNormal, status: model.StatusPending,
		script: []step{
			in(0, "Good evening. Na Joy. The cleaning company wey I dey work for don end my contract 2 weeks ago. My friend talk say I fit collect money from INPS, the NASpI. How I go take do am?"),
			route("chiara", "lavoro", "blessing"),
			reply("blessing", "Good evening Joy, na Blessing from the sportello. Yes, if dem end your contract and you don work at least 13 weeks for the last 4 years, you fit get NASpI. But you must apply inside 68 days after the work finish, so make we no waste time. Bring your permesso, codice fiscale, the letter wey end your contract and your last busta paga."),
			in(40*minute, "I no get SPID. E go be problem?"),
			reply("blessing", "No problem. We go do the application with the patronato wey dey work with us, dem no need your SPID. Come Thursday 9:30."),
			in(hour+5*minute, "Ok I go come. Thank you sister."),
		},
	},
	{ // 11
		contact: "franco", channel: model.ChannelSMS, language: "it", start: daysAgo(8, 12, 30),
		subject: "Truffa del finto operatore di banca", tags: []string{"truffa", "banca"},
		priority: model.PriorityHigh, status: model.StatusResolved,
		script: []step{
			in(0, "Buongiorno, mi ha appena chiamato uno che diceva di essere della banca, sapeva il mio nome e diceva che c'era un bonifico sospetto. Mi ha fatto leggere un codice arrivato per SMS. Adesso mi mancano 950 euro dal conto. Cosa devo fare?"),
			route("marco", "legale", "luca"),
			reply("luca", "Buongiorno signor Marchetti, sono Luca dello sportello. Subito: 1) chiami il numero verde della banca, quello sul retro della carta e non quello della telefonata, e blocchi carta e accesso online; 2) chieda alla banca di disconoscere l'operazione; 3) faccia denuncia alla Polizia Postale o ai Carabinieri, con gli SMS e il numero che l'ha chiamata. Poi ci porti la denuncia e scriviamo insieme il reclamo."),
			in(30*minute, "Fatto il blocco. Vado dai carabinieri nel pomeriggio."),
			in(day+hour, "Ho la denuncia. Posso venire domani mattina?"),
			reply("luca", "Sì, venga alle 10 con la denuncia, l'estratto conto e un documento. Se la banca rifiuta il rimborso si può ricorrere all'Arbitro Bancario Finanziario: ce ne occupiamo noi."),
			note("luca", "Reclamo inviato alla banca per PEC. Se entro 60 giorni non risponde o rifiuta: ricorso all'ABF."),
		},
	},
	{ // 12
		contact: "antonella", channel: model.ChannelEmail, language: "it", start: daysAgo(5, 14, 2),
		subject: "Assegno di Inclusione", tags: []string{"adi"},
		priority: model.PriorityNormal, status: model.StatusSnoozed, snooze: 3 * day,
		script: []step{
			in(0, `Buongiorno,

sono una mamma sola con due bambini di 4 e 9 anni. Ho perso il lavoro a gennaio e la NASpI finisce il mese prossimo. Un'amica mi ha parlato dell'Assegno di Inclusione. Posso chiederlo? Il mio ISEE è di circa 6.000 euro.

Grazie
Antonella Greco`),
			route("marco", "amministrativo", "chiara"),
			reply("chiara", `Gentile signora Greco,

con figli minori e un ISEE di quell'importo ha buone probabilità di rientrare nell'Assegno di Inclusione. La domanda si fa all'INPS, online con SPID o tramite un patronato; poi bisogna iscriversi alla piattaforma SIISL e firmare il patto di attivazione digitale, e dopo ci sarà un colloquio con i servizi sociali del Comune.

NASpI e Assegno di Inclusione si possono avere insieme, ma la NASpI conta come reddito. Possiamo fare la domanda insieme: le va bene martedì alle 11?

Cordiali saluti,
Chiara Russo`),
			in(2*hour, `Martedì alle 11 va benissimo. Porto ISEE, documenti e l'ultima lettera dell'INPS sulla NASpI. Grazie davvero.

Antonella`),
			note("chiara", "Appuntamento martedì alle 11. Requisito di residenza (5 anni, gli ultimi 2 continuativi): ok, è sempre vissuta qui."),
		},
	},
	{ // 13
		contact: "davide", channel: model.ChannelWeb, language: "it", start: daysAgo(4, 10, 5),
		subject: "NASpI dopo il licenziamento", tags: []string{"naspi", "lavoro"},
		priority: model.PriorityNormal, status: model.StatusSnoozed, snooze: 2 * day,
		script: []step{
			in(0, "Ciao, mi hanno licenziato dal magazzino dove lavoravo da due anni, l'ultimo giorno è stato venerdì. Posso prendere la disoccupazione? Lo SPID ce l'ho."),
			route("chiara", "lavoro", "chiara"),
			reply("chiara", "Ciao Davide, sono Chiara. Sì, con un licenziamento e due anni di contributi hai diritto alla NASpI. La domanda va fatta entro 68 giorni dalla fine del lavoro, ma conviene subito: se la presenti entro 8 giorni l'assegno parte dall'ottavo giorno, altrimenti dal giorno dopo la domanda. Con lo SPID puoi farla da solo sul sito dell'INPS, oppure la facciamo qui."),
			in(20*minute, "Preferisco farla con voi, ho paura di sbagliare. Oltre alla lettera di licenziamento cosa serve?"),
			reply("chiara", "Porta la lettera, le ultime buste paga, un IBAN intestato a te e lo SPID sul telefono. Ti aspetto giovedì alle 15. Dopo la domanda ti spiego anche la DID per il centro per l'impiego."),
			in(25*minute, "Perfetto, grazie mille."),
		},
	},
	{ // 14: after hours, nobody has picked it up
		contact: "simone", channel: model.ChannelForm, language: "it", start: last(time.Friday, 19, 5),
		subject: "Assegno Unico: nuova nata", priority: model.PriorityNormal,
		script: []step{
			in(0, `Nome: Simone Ricci
Argomento: Assegno Unico
Messaggio: Buonasera, io e mia moglie abbiamo avuto una bambina il mese scorso. Prendiamo già l'Assegno Unico per il primo figlio. Dobbiamo fare una nuova domanda o basta aggiungerla? E quando arriva il primo pagamento?`),
			in(10*minute, `Nome: Simone Ricci
Argomento: Assegno Unico
Messaggio: Dimenticavo: l'ISEE lo abbiamo fatto a febbraio, prima della nascita. Va rifatto?`),
		},
	},
	{ // 15
		contact: "grace", channel: model.ChannelEmail, language: "en", start: daysAgo(9, 11, 45),
		subject: "Iscrizione al Servizio sanitario (studentessa)", tags: []string{"sanità"},
		priority: model.PriorityNormal, status: model.StatusResolved,
		script: []step{
			in(0, `Hello,

I am a PhD student from Nigeria and I arrived in Italy two months ago. I have a permesso di soggiorno for study. How do I get a family doctor? At the ASL they told me something about paying a fee and I did not understand.

Best regards,
Grace Adeyemi`),
			route("chiara", "primo-contatto", "chiara"),
			reply("chiara", `Dear Grace,

thank you for writing. With a study permit you are not registered automatically with the national health service (SSN): you can register voluntarily by paying a yearly fee, which is lower for students. After paying, go back to the ASL with your permesso, passport, codice fiscale and the receipt, and choose your family doctor (medico di base) there.

The alternative is a private health insurance, but then you cannot have a family doctor of the SSN. If you like, we can go through it together at the desk.

Kind regards,
Chiara Russo`),
			in(day+3*hour, `Thank you, this is very clear. I paid the fee today and I have an appointment at the ASL on Monday.

Grace`),
			reply("chiara", "Great news! If the ASL asks for anything else, just reply to this e-mail. Good luck with your PhD!"),
		},
	},
	{ // 16
		contact: "awa", channel: model.ChannelEmail, language: "fr", start: daysAgo(7, 9, 12),
		subject: "Permesso per motivi familiari: conversione in lavoro", tags: []string{"permesso"},
		priority: model.PriorityNormal,
		script: []step{
			in(0, `Bonjour,

Je suis ivoirienne et je vis en Italie depuis 2019. Mon permis de séjour pour motifs familiaux expire en juin. Entre-temps j'ai trouvé un CDI comme aide-soignante dans une maison de retraite. Est-ce que je peux le renouveler pour travail ? Quels documents faut-il ?

Merci d'avance,
Awa Koné`),
			route("marco", "legale", "luca"),
			reply("luca", `Bonjour Madame Koné,

Oui, c'est possible : à l'échéance, le permis pour motifs familiaux peut être converti en permis pour travail salarié, puisque vous avez un contrat à durée indéterminée. La demande se fait avec le kit postal, avant l'expiration du permis.

Documents à préparer :
- passeport et permis de séjour actuel ;
- contrat de travail et trois dernières fiches de paie ;
- dernière certification des revenus (CU) ;
- contrat de location ou déclaration d'hébergement.

Nous pouvons remplir le dossier ensemble au guichet. Quel jour vous conviendrait ?

Cordialement,
Luca Moretti`),
			in(5*hour, `Merci beaucoup pour votre réponse rapide. Je travaille le matin, est-ce que je peux venir un après-midi ? Jeudi, par exemple ?

Awa`),
			reply("luca", "Jeudi à 15h, c'est noté. Pensez aussi à une marca da bollo de 16 euros, on l'achète au bureau de tabac."),
		},
	},
	{ // 17
		contact: "sami", channel: model.ChannelWeb, language: "fr", start: daysAgo(6, 13, 30),
		subject: "Conguaglio del gas molto alto", tags: []string{"bollette", "reclamo"},
		priority: model.PriorityNormal, status: model.StatusPending,
		script: []step{
			in(0, "Bonjour, j'ai reçu une facture de gaz de 640 euros pour deux mois, d'habitude je paie 90 euros. Je vis seul dans un petit appartement. Je pense que c'est une erreur. Qu'est-ce que je peux faire ?"),
			route("chiara", "amministrativo", "luca"),
			reply("luca", "Bonjour, ici Luca du guichet. Une facture aussi élevée est souvent une régularisation (conguaglio) : le fournisseur a relevé le vrai compteur après plusieurs factures estimées. Vous pouvez prendre en photo le compteur et toutes les pages de la facture ? On compare les relevés. Si c'est une erreur, on envoie une réclamation écrite. Si le montant est juste, vous avez le droit de payer en plusieurs fois."),
			in(hour, "D'accord, je vous envoie les photos ce soir. Merci."),
			note("luca", "In attesa delle foto del contatore e della bolletta. Probabile conguaglio dopo letture stimate: verificare le ultime letture effettive."),
		},
	},
	{ // 18
		contact: "lucia", channel: model.ChannelWhatsApp, language: "it", start: daysAgo(3, 12, 45),
		subject: "Contratto luce non richiesto", tags: []string{"bollette", "reclamo"},
		priority: model.PriorityNormal,
		script: []step{
			in(0, "Salve, mi è arrivata una lettera di benvenuto da una compagnia della luce che non ho mai scelto. Qualche settimana fa mi ha chiamato uno per \"aggiornare la tariffa\" e io ho detto sì solo per chiudere la telefonata. Adesso cosa faccio? Non voglio cambiare fornitore."),
			route("marco", "legale", "luca"),
			reply("luca", "Buongiorno signora Ferraro, sono Luca. Per i contratti fatti al telefono ci sono 14 giorni per ripensarci senza costi. Se sono già passati, si contesta l'attivazione non richiesta con un reclamo scritto al nuovo fornitore e si torna al vecchio. Mi manda una foto della lettera, così vediamo la data?"),
			in(10*minute, "Ecco, la lettera è di tre settimane fa. L'ho trovata adesso in mezzo alla pubblicità."),
			reply("luca", "Grazie. Prepariamo il reclamo per attivazione non richiesta e lo mandiamo per PEC dall'associazione. Ci serve anche l'ultima bolletta del vecchio fornitore: la può portare domani?"),
			note("luca", "Probabile contratto non richiesto da telemarketing. Chiedere al fornitore la registrazione completa della telefonata; verificare l'iscrizione al Registro delle opposizioni."),
		},
	},
	{ // 19: on a Saturday, waiting in the first-contact queue
		contact: "ion", channel: model.ChannelForm, language: "it", start: last(time.Saturday, 10, 20),
		subject: "Residenza rifiutata", priority: model.PriorityNormal,
		script: []step{
			in(0, `Nome: Ion Popescu
Argomento: Residenza
Messaggio: Buongiorno, sono cittadino romeno e lavoro in Italia da 8 mesi con contratto. Il Comune mi ha rifiutato la residenza perché il proprietario non vuole firmare la dichiarazione. Come posso fare? Senza residenza non posso avere il medico.`),
			in(5*minute, `Nome: Ion Popescu
Argomento: Residenza
Messaggio: Il mio numero è +40 721 555 019, mi trovate anche su WhatsApp.`),
			route("", "primo-contatto", ""),
		},
	},
	{ // 20
		contact: "rahim", channel: model.ChannelWeb, language: "en", start: daysAgo(5, 16, 50),
		subject: "Ricongiungimento familiare", tags: []string{"permesso", "ricongiungimento"},
		priority: model.PriorityNormal, status: model.StatusPending,
		script: []step{
			in(0, "Hello, I am from Bangladesh and I live in Italy since 6 years. I have permesso UE per soggiornanti di lungo periodo. I want to bring my wife and my son here. What do I need?"),
			route("marco", "legale", "chiara"),
			reply("chiara", "Hello Rahim, I am Chiara from the desk. With a long-term permit you can apply for family reunification (ricongiungimento familiare). The application is online, on the Ministry of the Interior website. You need a minimum income, which depends on how many people come; a house that meets the Comune's rules on size and hygiene; and the marriage and birth certificates, translated and legalised by the Italian embassy in Dhaka. When you get the nulla osta, your wife and son apply for the visa at the embassy."),
			in(hour, "Thank you. My income is about 1500 euro per month, I work in a restaurant. My apartment is 45 square meters. Is it enough?"),
			reply("chiara", "Your income should be enough for two people. For the apartment, the Comune checks the size for the number of people: we will ask for the certificato di idoneità alloggiativa. Please send me a photo of your rent contract and of your last CU, and I will check everything with our lawyer."),
			note("chiara", "Reddito probabilmente sufficiente per moglie e un figlio. Alloggio di 45 mq per tre persone: controllare i parametri del regolamento comunale."),
		},
	},
	{ // 21: after hours, by e-mail
		contact: "mohamed", channel: model.ChannelEmail, language: "ar", start: daysAgo(7, 20, 10),
		subject: "Stipendi non pagati e ore non dichiarate", tags: []string{"lavoro"},
		priority: model.PriorityHigh,
		script: []step{
			in(0, `السلام عليكم،

أعمل في مطعم منذ سنة ونصف بعقد جزئي لمدة 20 ساعة في الأسبوع، لكنني في الحقيقة أعمل أكثر من 50 ساعة. صاحب المطعم لم يدفع لي راتب شهرين. عندما طلبت منه حقي قال لي: إذا لم يعجبك العمل فاذهب. ماذا يمكنني أن أفعل؟

محمد صالح`),
			route("marco", "lavoro", "karim"),
			reply("karim", `وعليكم السلام أخي محمد،

معك كريم من مكتب المساعدة. ما يحدث لك مخالف للقانون: يجب أن يدفع لك صاحب العمل عن كل الساعات التي تعملها، وليس فقط عن الساعات المكتوبة في العقد. من حقك أن تطالب بالرواتب المتأخرة وبالساعات الإضافية.

نصيحتي الآن: سجّل كل يوم في دفتر أو في هاتفك ساعة بداية العمل وساعة نهايته، واحتفظ بكل الرسائل مع صاحب العمل وبكشوف الرواتب. ولا تترك العمل قبل أن نتحدث.

هل يمكنك أن تأتي إلى المكتب يوم الجمعة الساعة 16:00؟ سيكون معنا مستشار من النقابة.

تحياتي،
كريم بنعلي`),
			in(day+2*hour, "شكراً أخي كريم. نعم، سآتي يوم الجمعة. عندي رسائل واتساب يقول فيها إنه سيدفع لي الشهر القادم."),
			reply("karim", "ممتاز، هذه الرسائل مهمة جداً. أحضر الهاتف وكشوف الرواتب وعقد العمل."),
			note("karim", "Lavoro grigio: part-time da 20 ore, in realtà più di 50. Due mensilità non pagate. Venerdì con il sindacato: valutare la diffida e la richiesta di intervento all'Ispettorato del lavoro."),
		},
	},
	{ // 22
		contact: "franco", channel: model.ChannelSMS, language: "it", start: daysAgo(2, 19, 45),
		subject: "SMS truffa: pacco in giacenza", tags: []string{"truffa"},
		priority: model.PriorityLow, status: model.StatusClosed,
		script: []step{
			in(0, "Buonasera, sono di nuovo Franco Marchetti. Mi è arrivato questo messaggio: \"Il tuo pacco è in giacenza, paga 1,99 euro di spese di spedizione a questo link\". Io non aspetto pacchi. È un'altra truffa?"),
			route("marco", "primo-contatto", "anna"),
			reply("anna", "Buongiorno signor Marchetti, ha fatto benissimo a chiedere. Sì, è una truffa molto diffusa: non apra il link e non inserisca i dati della carta. Cancelli il messaggio e blocchi il numero. Poste e corrieri non chiedono pagamenti in questo modo."),
			in(14*hour, "Grazie, l'ho cancellato. Meno male che ci siete."),
		},
	},
	{ // 23: after hours
		contact: "fatou", channel: model.ChannelWhatsApp, language: "fr", start: daysAgo(4, 19, 30),
		subject: "Disoccupazione agricola", tags: []string{"lavoro", "disoccupazione agricola"},
		priority: model.PriorityNormal, status: model.StatusPending,
		script: []step{
			in(0, "Bonsoir, salaam aleekum. L'année dernière j'ai travaillé comme ouvrière agricole dans les serres, 120 jours. Une amie m'a dit qu'on peut demander le chômage agricole. C'est vrai ? Jusqu'à quand on peut le demander ?"),
			route("luca", "lavoro", "mamadou"),
			reply("mamadou", "Maalekum salaam Fatou, ici Mamadou du guichet. Oui, c'est vrai : si tu as au moins 102 journées déclarées dans l'agriculture sur les deux dernières années, tu peux demander le chômage agricole à l'INPS. La demande se fait avant le 31 mars de l'année qui suit. Tu as tes fiches de paie et ton contrat ?"),
			in(30*minute, "J'ai les fiches de paie mais pas toutes. Le patron ne m'a pas donné celles d'octobre et novembre."),
			reply("mamadou", "Ce n'est pas grave : avec ton code fiscal on peut voir sur le site de l'INPS les journées que le patron a déclarées. Viens lundi avec ta pièce d'identité et ton code fiscal, et on fait la demande avec le patronato."),
			note("mamadou", "Vérifier sur l'extrait de compte INPS que toutes les journées de l'an dernier sont déclarées. S'il en manque, possible travail au noir : en parler avec le syndicat."),
		},
	},
	{ // 24
		contact: "paolo", channel: model.ChannelEmail, language: "it", start: daysAgo(9, 15, 30),
		subject: "PEC per impresa individuale", tags: []string{"pec"},
		priority: model.PriorityLow, status: model.StatusClosed,
		script: []step{
			in(0, `Buongiorno,

sono un idraulico in pensione ma ho ancora la partita IVA aperta per qualche lavoretto. La Camera di Commercio mi scrive che devo avere un domicilio digitale. Mi spiegate cos'è e se è obbligatorio?

Paolo Santoro`),
			route("chiara", "amministrativo", "luca"),
			reply("luca", `Buongiorno signor Santoro,

il domicilio digitale è un indirizzo PEC registrato nel Registro delle imprese: per le imprese individuali è obbligatorio, e se manca la Camera di Commercio può assegnarne uno d'ufficio e applicare una sanzione. Può attivare una PEC presso un gestore autorizzato (costa pochi euro l'anno) e poi comunicarla alla Camera di Commercio, gratis, dal sito della Camera o tramite il commercialista.

Se vuole, la attiviamo insieme allo sportello.

Cordiali saluti,
Luca Moretti`),
			in(day+4*hour, `Grazie, ho fatto tutto con mio figlio e ho comunicato la PEC alla Camera di Commercio.

Paolo Santoro`),
			reply("luca", "Ottimo, allora è tutto a posto. Si ricordi di controllare la PEC ogni tanto: le comunicazioni ufficiali arrivano lì."),
		},
	},
	{ // 25
		contact: "modou", channel: model.ChannelSMS, language: "en", start: daysAgo(2, 11, 10),
		subject: "Appuntamento per le impronte in Questura", tags: []string{"permesso"},
		priority: model.PriorityNormal,
		script: []step{
			in(0, "Hello good morning. I am Modou. Questura send me SMS for fingerprint appointment on Tuesday 9:00 but I work that day in the warehouse and my boss say no. Can I change the date?"),
			route("marco", "legale", "lamin"),
			reply("lamin", "Good morning Modou, this is Lamin from the desk. It is better not to miss the appointment: changing it can delay your renewal for weeks. Many employers give a few hours off for this. We can write a letter for your boss that explains the appointment. Do you want it?"),
			in(20*minute, "Yes please write the letter for my boss. I pass tomorrow to take it."),
			note("lamin", "Letter for the employer: Questura appointment on Tuesday at 9:00 for fingerprints. Ready tomorrow morning."),
		},
	},
	{ // 26
		contact: "teresa", channel: model.ChannelWeb, language: "it", start: daysAgo(1, 16, 15),
		subject: "Intimazione di sfratto per morosità", tags: []string{"affitto", "sfratto"},
		priority: model.PriorityUrgent,
		script: []step{
			in(0, "Buongiorno, l'avvocato del proprietario mi ha mandato un'intimazione di sfratto per morosità, l'udienza è tra tre settimane. Siamo indietro di quattro mesi con l'affitto perché mio marito ha perso il lavoro a novembre. Abbiamo due figli piccoli. Vi prego, cosa possiamo fare?"),
			route("marco", "legale", "marco"),
			reply("marco", "Buongiorno signora Marino, sono Marco, il coordinatore dello sportello. Prima di tutto: all'udienza bisogna andare, meglio con un avvocato, perché il giudice può dare un termine per pagare. E se la morosità è dovuta alla perdita del lavoro, si può chiedere al Comune il contributo per la morosità incolpevole, che può coprire gli arretrati. Ci manda l'intimazione e la lettera di licenziamento di suo marito?"),
			in(15*minute, "Sì, vi mando tutto stasera. Grazie, non sapevo a chi rivolgermi."),
			note("marco", "Urgente, udienza fra tre settimane. Sentire l'avvocata convenzionata per il patrocinio a spese dello Stato e preparare la domanda al fondo per la morosità incolpevole."),
		},
	},
	{ // 27: Maria again, after her first case was resolved
		contact: "maria", channel: model.ChannelWhatsApp, language: "it", start: daysAgo(1, 9, 5),
		subject: "ISEE: omissioni o difformità", tags: []string{"isee", "bonus"},
		priority: model.PriorityNormal,
		script: []step{
			in(0, "Buongiorno signorina Chiara, sono ancora Maria Esposito. Mi è arrivata una lettera dell'INPS che dice che nell'ISEE ci sono omissioni o difformità sul conto. Cosa vuol dire? Mi tolgono il bonus?"),
			in(3*minute, "Le mando la foto appena posso, stasera viene mio nipote."),
			route("chiara", "amministrativo", "chiara"),
			reply("chiara", "Buongiorno signora, non si preoccupi. Di solito vuol dire che un saldo o una giacenza non coincidono con quello che risulta all'Agenzia delle Entrate. Si sistema con una nuova DSU oppure portando l'estratto del libretto al CAF. Quando ha la foto della lettera me la mandi qui e le dico cosa fare."),
			note("chiara", "Probabile difformità sul libretto postale. Se serve, appuntamento con il CAF convenzionato giovedì."),
		},
	},
	{ // 28: Fatima again, on WhatsApp
		contact: "fatima", channel: model.ChannelWhatsApp, language: "ar", start: daysAgo(2, 10, 30),
		subject: "SPID per seguire la domanda INPS", tags: []string{"spid"},
		priority: model.PriorityNormal, status: model.StatusSnoozed, snooze: 4 * day,
		script: []step{
			in(0, "السلام عليكم أخي كريم، أنا فاطمة الزهراء، كتبت لكم في الموقع بخصوص Assegno Unico. في مركز CAF قالوا لي إنني أحتاج إلى SPID لأتابع طلبي على موقع INPS. كيف أحصل عليه؟"),
			route("karim", "amministrativo", "karim"),
			reply("karim", "وعليكم السلام أختي فاطمة. يمكنك الحصول على SPID في مكتب البريد أو عبر الإنترنت. تحتاجين إلى: جواز سفر ساري المفعول، البطاقة الصحية (codice fiscale)، رقم هاتف وبريد إلكتروني باسمك. إذا أردتِ، نحجز لك موعداً هنا ونقوم بذلك معاً."),
			in(15*minute, "نعم من فضلك، أفضّل أن نقوم بذلك معاً. ليس عندي بريد إلكتروني."),
			reply("karim", "لا مشكلة، سننشئ لك بريداً إلكترونياً في نفس الموعد. حجزت لك موعداً يوم الاثنين القادم الساعة 11:00. لا تنسي جواز السفر وبطاقة الإقامة والبطاقة الصحية والهاتف."),
		},
	},
	{ // 29: a domestic worker whose passport is withheld, restricted
		contact: "olena", channel: model.ChannelWeb, language: "it", start: daysAgo(3, 21, 50),
		subject: "Badante senza contratto, passaporto trattenuto", tags: []string{"lavoro", "sfruttamento"},
		priority: model.PriorityHigh, restricted: true,
		script: []step{
			in(0, "Buonasera, scrivo dal telefono di un'amica. Lavoro come badante per una signora anziana, giorno e notte, ma il figlio non mi ha mai fatto il contratto. Mi dà 600 euro al mese e tiene lui il mio passaporto, dice che è per sicurezza. Non posso uscire quasi mai. Posso avere aiuto senza che lui lo sa?"),
			in(4*minute, "Per favore non chiamate questo numero, è della mia amica. Scrivo io qui quando posso."),
			route("marco", "lavoro", "marco"),
			reply("marco", "Buonasera, sono Marco dello sportello. Ha fatto bene a scriverci: quello che racconta non è legale, e nessuno può tenere il suo passaporto. Non chiameremo nessuno e non diremo niente al suo datore di lavoro. Quando può, ci scriva un giorno e un'ora in cui riesce a uscire anche solo mezz'ora: possiamo incontrarci vicino a casa sua. Se si sente in pericolo chiami il 112."),
			in(day, "Domenica pomeriggio sono libera dalle 15 alle 17. Posso venire alla fermata dell'autobus vicino alla chiesa."),
			note("marco", "Caso riservato. Possibile sfruttamento lavorativo e passaporto trattenuto. Non usare il numero della chat, è di un'amica. Domenica alle 15 incontro con l'operatrice del numero verde antitratta; segnalazione all'Ispettorato e percorso art. 18 solo con il suo consenso."),
		},
	},
	{ // 30: Sunday night, nobody has picked it up
		contact: "kwame", channel: model.ChannelEmail, language: "en", start: last(time.Sunday, 22, 30),
		subject: "Assegno di Inclusione for foreigners?", priority: model.PriorityNormal,
		script: []step{
			in(0, `Hello,

I am from Ghana and I live in Italy since 7 years with my wife and our 3 children. I lost my job in the factory. Somebody told me about a support from the government called Assegno di Inclusione. Can foreigners apply? We have the permesso di lungo periodo.

Thank you,
Kwame Mensah`),
			in(8*minute, `Sorry, I forgot: our ISEE is 4,800 euro, we did it in January.

Kwame`),
		},
	},
}
