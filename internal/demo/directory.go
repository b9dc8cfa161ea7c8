package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/auth"
	"github.com/sportello/sportello/internal/hsds"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// directoryJSON is the demo's directory of services around Rome, in HSDS
// 3.0 JSON with Sportello's profile fields (confidential, translations,
// time_zone). The organisations, addresses and numbers are made up,
// except the national anti-trafficking toll-free number 800 290 290.
// {{recent}} and {{stale}} become dates of verification: the legal aid
// desk's is old, so it shows in the review list.
const directoryJSON = `{
 "version": "3.0.0",
 "services": [
  {
   "id": "b7f0c1a2-0001-4c5e-9a10-000000000001", "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000001",
   "name": "Mensa Caritas San Giovanni", "status": "active",
   "description": "Pranzo e cena caldi per chi è in difficoltà, senza prenotazione.",
   "eligibility_description": "Persone senza dimora o in difficoltà economica. Si entra con la tessera della mensa, che si fa la prima volta.",
   "application_process": "La prima volta passate dal centro d'ascolto con un documento, anche scaduto.",
   "fees_description": "Gratuito.",
   "assured_date": "{{recent}}", "assurer_email": "giulia.ferri@sportello.example",
   "translations": {
    "en": {"name": "Caritas San Giovanni canteen", "description": "Hot lunch and dinner for people in need, no booking."},
    "ar": {"name": "مطعم كاريتاس سان جوفاني", "description": "غداء وعشاء ساخنان للمحتاجين، دون حجز مسبق."},
    "fr": {"name": "Cantine Caritas San Giovanni", "description": "Déjeuner et dîner chauds pour les personnes en difficulté, sans réservation."}
   },
   "languages": [
    {"id": "b7f0c1a2-5001-4c5e-9a10-000000000001", "name": "Italiano", "code": "it"},
    {"id": "b7f0c1a2-5001-4c5e-9a10-000000000002", "name": "English", "code": "en"},
    {"id": "b7f0c1a2-5001-4c5e-9a10-000000000003", "name": "Français", "code": "fr"}
   ],
   "required_documents": [{"id": "b7f0c1a2-6001-4c5e-9a10-000000000001", "document": "Un documento d'identità, anche scaduto, la prima volta"}],
   "attributes": [{"id": "b7f0c1a2-7001-4c5e-9a10-000000000001", "taxonomy_term_id": "b7f0c1a2-8000-4c5e-9a10-00000000f00d", "link_type": "category", "link_entity": "service"}],
   "schedules": [
    {"id": "b7f0c1a2-9001-4c5e-9a10-000000000001", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA", "opens_at": "11:30", "closes_at": "14:00", "time_zone": "Europe/Rome", "description": "Pranzo"},
    {"id": "b7f0c1a2-9001-4c5e-9a10-000000000002", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "18:00", "closes_at": "20:00", "time_zone": "Europe/Rome", "description": "Cena"}
   ],
   "phones": [{"id": "b7f0c1a2-4001-4c5e-9a10-000000000001", "number": "+39 06 0000 1101", "type": "voice"}],
   "service_at_locations": [{"id": "b7f0c1a2-3001-4c5e-9a10-000000000001", "location": {
     "id": "b7f0c1a2-2001-4c5e-9a10-000000000001", "location_type": "physical", "name": "Centro Caritas San Giovanni",
     "latitude": 41.8869, "longitude": 12.5061, "transportation": "Metro A San Giovanni, poi 5 minuti a piedi",
     "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000001",
     "addresses": [{"id": "b7f0c1a2-2101-4c5e-9a10-000000000001", "address_1": "Via Taranto 41", "city": "Roma", "state_province": "RM", "postal_code": "00182", "country": "IT", "address_type": "physical"}]
   }}]
  },
  {
   "id": "b7f0c1a2-0001-4c5e-9a10-000000000006", "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000005",
   "name": "Patronato e CAF di quartiere Monti", "status": "active",
   "description": "Patronato e CAF: domande all'INPS (Assegno unico, Assegno di inclusione, NASpI, Assegno sociale), ISEE e dichiarazione dei redditi, gratis o a basso costo.",
   "eligibility_description": "Chiunque, con o senza SPID. Per l'ISEE servono i documenti di tutta la famiglia.",
   "application_process": "Su appuntamento per telefono; il lunedì mattina senza appuntamento.",
   "fees_description": "Le domande di patronato sono gratuite; l'ISEE è gratuito.",
   "assured_date": "{{recent}}", "assurer_email": "giulia.ferri@sportello.example",
   "translations": {
    "en": {"name": "Monti patronato and CAF", "description": "Patronato and CAF: applications to INPS (Assegno unico, Assegno di inclusione, NASpI, social allowance), ISEE and tax returns, free or cheap."},
    "ar": {"name": "مكتب patronato و CAF في مونتي", "description": "مكتب patronato و CAF: طلبات إلى INPS (Assegno unico، Assegno di inclusione، NASpI، المعاش الاجتماعي)، وISEE والإقرار الضريبي، مجانًا أو بتكلفة منخفضة."},
    "fr": {"name": "Patronato et CAF de Monti", "description": "Patronato et CAF : demandes à l'INPS (Assegno unico, Assegno di inclusione, NASpI, allocation sociale), ISEE et déclaration de revenus, gratuitement ou à bas coût."}
   },
   "languages": [
    {"id": "b7f0c1a2-5006-4c5e-9a10-000000000001", "name": "Italiano", "code": "it"},
    {"id": "b7f0c1a2-5006-4c5e-9a10-000000000003", "name": "Français", "code": "fr"}
   ],
   "required_documents": [{"id": "b7f0c1a2-6006-4c5e-9a10-000000000001", "document": "Documento d'identità, codice fiscale, permesso di soggiorno se straniero"}],
   "schedules": [
    {"id": "b7f0c1a2-9006-4c5e-9a10-000000000001", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "13:00", "time_zone": "Europe/Rome"}
   ],
   "phones": [{"id": "b7f0c1a2-4006-4c5e-9a10-000000000001", "number": "+39 06 0000 1106", "type": "voice"}],
   "service_at_locations": [{"id": "b7f0c1a2-3006-4c5e-9a10-000000000001", "location": {
     "id": "b7f0c1a2-2006-4c5e-9a10-000000000001", "location_type": "physical", "name": "Sede Monti",
     "latitude": 41.8938, "longitude": 12.4930, "transportation": "Metro B Cavour",
     "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000005",
     "addresses": [{"id": "b7f0c1a2-2106-4c5e-9a10-000000000001", "address_1": "Via Cavour 180", "city": "Roma", "state_province": "RM", "postal_code": "00184", "country": "IT", "address_type": "physical"}]
   }}]
  },
  {
   "id": "b7f0c1a2-0001-4c5e-9a10-000000000002", "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000002",
   "name": "Sportello legale immigrazione", "status": "active",
   "description": "Consulenza gratuita su permessi di soggiorno, rinnovi, ricongiungimento familiare, protezione internazionale e cittadinanza.",
   "eligibility_description": "Cittadini stranieri e le loro famiglie, con o senza documenti.",
   "application_process": "Si accede senza appuntamento negli orari di apertura; per le pratiche lunghe l'avvocato fissa un appuntamento.",
   "fees_description": "Gratuito.",
   "interpretation_services": "Mediatori per arabo e francese presenti; altre lingue su richiesta.",
   "assured_date": "{{stale}}", "assurer_email": "marco.rossi@sportello.example",
   "translations": {
    "en": {"name": "Immigration legal aid desk", "description": "Free advice on residence permits, renewals, family reunification, international protection and citizenship."},
    "ar": {"name": "مكتب الاستشارات القانونية للهجرة", "description": "استشارات مجانية حول تصاريح الإقامة وتجديدها ولمّ شمل الأسرة والحماية الدولية والجنسية.", "eligibility_description": "المواطنون الأجانب وعائلاتهم، بوثائق أو من دونها."},
    "fr": {"name": "Permanence juridique immigration", "description": "Conseils gratuits sur les titres de séjour, les renouvellements, le regroupement familial, la protection internationale et la nationalité."},
    "es": {"name": "Oficina jurídica de inmigración", "description": "Asesoramiento gratuito sobre permisos de residencia, renovaciones, reagrupación familiar, protección internacional y ciudadanía."}
   },
   "languages": [
    {"id": "b7f0c1a2-5002-4c5e-9a10-000000000001", "name": "Italiano", "code": "it"},
    {"id": "b7f0c1a2-5002-4c5e-9a10-000000000002", "name": "العربية", "code": "ar", "note": "Mediatrice culturale il martedì e il giovedì"},
    {"id": "b7f0c1a2-5002-4c5e-9a10-000000000003", "name": "Français", "code": "fr"},
    {"id": "b7f0c1a2-5002-4c5e-9a10-000000000004", "name": "English", "code": "en"}
   ],
   "required_documents": [
    {"id": "b7f0c1a2-6002-4c5e-9a10-000000000001", "document": "Passaporto o altro documento, se lo avete"},
    {"id": "b7f0c1a2-6002-4c5e-9a10-000000000002", "document": "Permesso di soggiorno o ricevuta della richiesta, se c'è"}
   ],
   "attributes": [{"id": "b7f0c1a2-7002-4c5e-9a10-000000000001", "taxonomy_term_id": "b7f0c1a2-8000-4c5e-9a10-00000000a1d0", "link_type": "category", "link_entity": "service"}],
   "schedules": [
    {"id": "b7f0c1a2-9002-4c5e-9a10-000000000001", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "19:00", "time_zone": "Europe/Rome"},
    {"id": "b7f0c1a2-9002-4c5e-9a10-000000000002", "freq": "WEEKLY", "byday": "SA", "opens_at": "09:30", "closes_at": "12:30", "time_zone": "Europe/Rome"}
   ],
   "phones": [{"id": "b7f0c1a2-4002-4c5e-9a10-000000000001", "number": "+39 06 0000 2202", "type": "voice"}],
   "email": "legale@casadeidiritti.example",
   "service_at_locations": [{"id": "b7f0c1a2-3002-4c5e-9a10-000000000001", "location": {
     "id": "b7f0c1a2-2002-4c5e-9a10-000000000001", "location_type": "physical", "name": "Casa dei Diritti – Esquilino",
     "latitude": 41.8953, "longitude": 12.5036, "transportation": "Metro A Vittorio Emanuele",
     "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000002",
     "addresses": [{"id": "b7f0c1a2-2102-4c5e-9a10-000000000001", "address_1": "Via Principe Amedeo 188", "city": "Roma", "state_province": "RM", "postal_code": "00185", "country": "IT", "address_type": "physical"}]
   }}]
  },
  {
   "id": "b7f0c1a2-0001-4c5e-9a10-000000000003", "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000002",
   "name": "Accoglienza protetta antitratta", "status": "active",
   "description": "Ospitalità in una casa protetta e accompagnamento per le vittime di tratta e sfruttamento lavorativo o sessuale. Si accede tramite il Numero Verde Antitratta, gratuito, anonimo, attivo sempre.",
   "eligibility_description": "Persone vittime di tratta, grave sfruttamento o caporalato, di qualsiasi nazionalità.",
   "application_process": "Chiamate il Numero Verde 800 290 290 o chiedete allo sportello: l'indirizzo non si dà a nessuno per la sicurezza delle persone ospitate.",
   "assured_date": "{{recent}}", "assurer_email": "giulia.ferri@sportello.example",
   "translations": {
    "en": {"name": "Protected shelter against trafficking", "description": "A protected home and support for victims of trafficking and labour or sexual exploitation. Access through the free, anonymous anti-trafficking helpline, open at all times."},
    "ar": {"name": "إيواء محمي لضحايا الاتجار بالبشر", "description": "إقامة في بيت محمي ومرافقة لضحايا الاتجار والاستغلال في العمل أو الاستغلال الجنسي. الوصول عبر الرقم الأخضر المجاني والسري المتاح دائماً."}
   },
   "languages": [
    {"id": "b7f0c1a2-5003-4c5e-9a10-000000000001", "name": "Italiano", "code": "it"},
    {"id": "b7f0c1a2-5003-4c5e-9a10-000000000002", "name": "English", "code": "en"},
    {"id": "b7f0c1a2-5003-4c5e-9a10-000000000003", "name": "Română", "code": "ro"},
    {"id": "b7f0c1a2-5003-4c5e-9a10-000000000004", "name": "العربية", "code": "ar"}
   ],
   "attributes": [{"id": "b7f0c1a2-7003-4c5e-9a10-000000000001", "taxonomy_term_id": "b7f0c1a2-8000-4c5e-9a10-00000000ca5a", "link_type": "category", "link_entity": "service"}],
   "schedules": [{"id": "b7f0c1a2-9003-4c5e-9a10-000000000001", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "24:00", "time_zone": "Europe/Rome", "description": "Numero Verde attivo 24 ore su 24"}],
   "phones": [{"id": "b7f0c1a2-4003-4c5e-9a10-000000000001", "number": "800 290 290", "type": "voice", "description": "Numero Verde Antitratta"}],
   "service_at_locations": [{"id": "b7f0c1a2-3003-4c5e-9a10-000000000001", "location": {
     "id": "b7f0c1a2-2003-4c5e-9a10-000000000001", "location_type": "physical", "name": "Casa protetta", "confidential": true,
     "latitude": 41.8712, "longitude": 12.5244,
     "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000002",
     "addresses": [{"id": "b7f0c1a2-2103-4c5e-9a10-000000000001", "address_1": "Via riservata 7", "city": "Roma", "state_province": "RM", "postal_code": "00179", "country": "IT", "address_type": "physical"}]
   }}]
  },
  {
   "id": "b7f0c1a2-0001-4c5e-9a10-000000000004", "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000003",
   "name": "Centro per l'Impiego Roma Tiburtino", "status": "active",
   "description": "Iscrizione come disoccupati (DID), patto di servizio, offerte di lavoro, tirocini e corsi; dichiarazione per NASpI e Assegno di inclusione.",
   "eligibility_description": "Chi cerca lavoro ed è residente o domiciliato nella zona; stranieri con permesso di soggiorno valido o in rinnovo.",
   "application_process": "Prenotazione online o al telefono; la DID si può fare anche da soli sul portale MyANPAL.",
   "fees_description": "Gratuito.",
   "assured_date": "{{recent}}", "assurer_email": "marco.rossi@sportello.example",
   "translations": {"en": {"name": "Tiburtino Job Centre", "description": "Registering as unemployed (DID), service agreement, job offers, traineeships and courses."}},
   "languages": [
    {"id": "b7f0c1a2-5004-4c5e-9a10-000000000001", "name": "Italiano", "code": "it"},
    {"id": "b7f0c1a2-5004-4c5e-9a10-000000000002", "name": "English", "code": "en"}
   ],
   "required_documents": [
    {"id": "b7f0c1a2-6004-4c5e-9a10-000000000001", "document": "Documento d'identità e codice fiscale"},
    {"id": "b7f0c1a2-6004-4c5e-9a10-000000000002", "document": "Permesso di soggiorno (per i cittadini non UE)"}
   ],
   "attributes": [{"id": "b7f0c1a2-7004-4c5e-9a10-000000000001", "taxonomy_term_id": "b7f0c1a2-8000-4c5e-9a10-00000000b0b0", "link_type": "category", "link_entity": "service"}],
   "schedules": [
    {"id": "b7f0c1a2-9004-4c5e-9a10-000000000001", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "08:30", "closes_at": "12:30", "time_zone": "Europe/Rome"},
    {"id": "b7f0c1a2-9004-4c5e-9a10-000000000002", "freq": "WEEKLY", "byday": "TU,TH", "opens_at": "14:30", "closes_at": "16:30", "time_zone": "Europe/Rome"}
   ],
   "phones": [{"id": "b7f0c1a2-4004-4c5e-9a10-000000000001", "number": "+39 06 0000 4404", "type": "voice"}],
   "service_at_locations": [{"id": "b7f0c1a2-3004-4c5e-9a10-000000000001", "location": {
     "id": "b7f0c1a2-2004-4c5e-9a10-000000000001", "location_type": "physical", "name": "CPI Tiburtino",
     "latitude": 41.9103, "longitude": 12.5317,
     "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000003",
     "addresses": [{"id": "b7f0c1a2-2104-4c5e-9a10-000000000001", "address_1": "Via Tiburtina 691", "city": "Roma", "state_province": "RM", "postal_code": "00159", "country": "IT", "address_type": "physical"}]
   }}]
  },
  {
   "id": "b7f0c1a2-0001-4c5e-9a10-000000000005", "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000004",
   "name": "Ambulatorio STP/ENI", "status": "active",
   "description": "Cure mediche di base e urgenti per stranieri senza permesso di soggiorno (codice STP) e cittadini UE senza assistenza (codice ENI). Il medico non segnala nessuno.",
   "eligibility_description": "Stranieri non iscritti al Servizio sanitario nazionale.",
   "application_process": "Il codice STP o ENI si fa al momento, senza documenti obbligatori; basta una dichiarazione di indigenza.",
   "fees_description": "Gratuito per chi dichiara di non avere risorse.",
   "assured_date": "{{recent}}", "assurer_email": "giulia.ferri@sportello.example",
   "translations": {
    "en": {"name": "STP/ENI clinic", "description": "Basic and urgent care for foreigners without a residence permit (STP code) and EU citizens without cover (ENI code). Doctors report no one."},
    "ar": {"name": "عيادة STP/ENI", "description": "رعاية طبية أساسية وعاجلة للأجانب دون تصريح إقامة (رمز STP) ولمواطني الاتحاد الأوروبي دون تغطية (رمز ENI). الطبيب لا يبلّغ عن أحد."},
    "fr": {"name": "Dispensaire STP/ENI", "description": "Soins de base et urgents pour les étrangers sans titre de séjour (code STP) et les citoyens de l'UE sans couverture (code ENI)."}
   },
   "languages": [
    {"id": "b7f0c1a2-5005-4c5e-9a10-000000000001", "name": "Italiano", "code": "it"},
    {"id": "b7f0c1a2-5005-4c5e-9a10-000000000002", "name": "العربية", "code": "ar"},
    {"id": "b7f0c1a2-5005-4c5e-9a10-000000000003", "name": "English", "code": "en"},
    {"id": "b7f0c1a2-5005-4c5e-9a10-000000000004", "name": "বাংলা", "code": "bn"}
   ],
   "attributes": [{"id": "b7f0c1a2-7005-4c5e-9a10-000000000001", "taxonomy_term_id": "b7f0c1a2-8000-4c5e-9a10-00000000bea1", "link_type": "category", "link_entity": "service"}],
   "schedules": [{"id": "b7f0c1a2-9005-4c5e-9a10-000000000001", "freq": "WEEKLY", "byday": "MO,WE,FR", "opens_at": "08:00", "closes_at": "12:00", "time_zone": "Europe/Rome"}],
   "service_at_locations": [{"id": "b7f0c1a2-3005-4c5e-9a10-000000000001", "location": {
     "id": "b7f0c1a2-2005-4c5e-9a10-000000000001", "location_type": "physical", "name": "Poliambulatorio ASL – Piazza Vittorio",
     "latitude": 41.8948, "longitude": 12.5057,
     "organization_id": "b7f0c1a2-1000-4c5e-9a10-000000000004",
     "addresses": [{"id": "b7f0c1a2-2105-4c5e-9a10-000000000001", "address_1": "Piazza Vittorio Emanuele II 61", "city": "Roma", "state_province": "RM", "postal_code": "00185", "country": "IT", "address_type": "physical"}]
   }}]
  }
 ],
 "organizations": [
  {"id": "b7f0c1a2-1000-4c5e-9a10-000000000001", "name": "Caritas diocesana di Roma (demo)", "description": "Centri d'ascolto, mense e accoglienza.", "legal_status": "Ente ecclesiastico",
   "organization_identifiers": [{"id": "b7f0c1a2-1100-4c5e-9a10-000000000001", "identifier_scheme": "IT-CF", "identifier_type": "Codice fiscale", "identifier": "80000000001"}]},
  {"id": "b7f0c1a2-1000-4c5e-9a10-000000000002", "name": "Casa dei Diritti APS (demo)", "description": "Associazione di promozione sociale: tutela legale dei migranti e contrasto alla tratta.", "legal_status": "APS",
   "organization_identifiers": [
    {"id": "b7f0c1a2-1100-4c5e-9a10-000000000002", "identifier_scheme": "IT-CF", "identifier_type": "Codice fiscale", "identifier": "97000000002"},
    {"id": "b7f0c1a2-1100-4c5e-9a10-000000000003", "identifier_scheme": "IT-RUNTS", "identifier_type": "Numero di repertorio RUNTS", "identifier": "123456"}]},
  {"id": "b7f0c1a2-1000-4c5e-9a10-000000000003", "name": "Regione Lazio – Centri per l'Impiego (demo)", "description": "Servizi pubblici per il lavoro.", "legal_status": "Ente pubblico"},
  {"id": "b7f0c1a2-1000-4c5e-9a10-000000000004", "name": "ASL Roma 1 (demo)", "description": "Azienda sanitaria locale.", "legal_status": "Ente pubblico"},
  {"id": "b7f0c1a2-1000-4c5e-9a10-000000000005", "name": "Patronato e CAF Monti (demo)", "description": "Patronato e centro di assistenza fiscale.", "legal_status": "Associazione"}
 ],
 "taxonomies": [{"id": "b7f0c1a2-8100-4c5e-9a10-000000000001", "name": "Sportello", "description": "Le categorie dei servizi dello sportello", "version": "1"}],
 "taxonomy_terms": [
  {"id": "b7f0c1a2-8000-4c5e-9a10-00000000f00d", "code": "food", "name": "Cibo", "description": "Mense, pacchi alimentari, empori solidali", "taxonomy_id": "b7f0c1a2-8100-4c5e-9a10-000000000001"},
  {"id": "b7f0c1a2-8000-4c5e-9a10-00000000a1d0", "code": "legal", "name": "Assistenza legale", "description": "Permessi, protezione, cittadinanza", "taxonomy_id": "b7f0c1a2-8100-4c5e-9a10-000000000001"},
  {"id": "b7f0c1a2-8000-4c5e-9a10-00000000ca5a", "code": "shelter", "name": "Accoglienza", "description": "Case protette e dormitori", "taxonomy_id": "b7f0c1a2-8100-4c5e-9a10-000000000001"},
  {"id": "b7f0c1a2-8000-4c5e-9a10-00000000b0b0", "code": "work", "name": "Lavoro", "description": "Centri per l'impiego, orientamento", "taxonomy_id": "b7f0c1a2-8100-4c5e-9a10-000000000001"},
  {"id": "b7f0c1a2-8000-4c5e-9a10-00000000bea1", "code": "health", "name": "Salute", "description": "Ambulatori e consultori", "taxonomy_id": "b7f0c1a2-8100-4c5e-9a10-000000000001"}
 ]
}`

// Directory returns the demo directory with its verification dates set
// relative to now: a recent one, and an old one that is due for review.
func Directory(now time.Time) (*hsds.Set, error) {
	recent := now.AddDate(0, 0, -20).Format(time.DateOnly)
	stale := now.AddDate(-1, 0, 0).Format(time.DateOnly)
	doc := strings.NewReplacer("{{recent}}", recent, "{{stale}}", stale).Replace(directoryJSON)
	return hsds.ParseJSON("demo-directory.json", []byte(doc))
}

// directory loads the demo directory of services.
func (l *loader) directory(ctx context.Context) error {
	set, err := Directory(l.opt.Now)
	if err != nil {
		return err
	}
	if _, err := l.s.ImportDirectory(ctx, l.org.ID, set, store.ImportOptions{}); err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	return nil
}

// PartnerSlug names the demo's partner organisation, to refer cases to.
const PartnerSlug = "casa-diritti"

// partner creates the partner organisation that referrals from the demo
// desk go to, with one operator (same password as the demo's users).
func (l *loader) partner(ctx context.Context) error {
	org := &model.Organization{Slug: PartnerSlug, Name: "Casa dei Diritti APS (demo)", TimeZone: timeZone, Language: "it"}
	if err := l.s.CreateOrganization(ctx, org); err != nil {
		return fmt.Errorf("create partner: %w", err)
	}
	hash, err := auth.HashPassword(l.opt.Password, l.opt.PasswordParams)
	if err != nil {
		return err
	}
	u := &model.User{OrgID: org.ID, Email: "samira.haddad@casa-diritti.sportello.local", Name: "Samira Haddad", Role: model.RoleOperator,
		Languages: []string{"it", "ar", "fr"}, Active: true, PasswordHash: hash}
	if err := l.s.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("create partner user: %w", err)
	}
	return nil
}
