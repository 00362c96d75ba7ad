"""Fill the demo database with a registry: departments and clerks, a general register with
documents in every state (this year and earlier years), an approved archival nomenclature,
files handed over to the archive and a selection waiting for the county archives.

Used by scripts/demo after scripts/generate (it needs the generated municipality and persons).
Deterministic for a given seed. Registration goes through the ORM like a clerk's (gapless
strict sequence per register and year), with the registration date set by this loader.

Usage: python scripts/lib/demo_registry.py -c CONFIG -d DATABASE [--seed 42]
"""
import datetime as dt
import random

from trytond_db import open_pool, parse_args, run_committed

SUMMARIES = [
    "Sesizare privind iluminatul public pe strada {street}",
    "Cerere de eliberare a certificatului de atestare fiscală",
    "Petiție privind colectarea deșeurilor",
    "Cerere de informații privind bugetul local pe anul {year}",
    "Reclamație privind starea drumului comunal",
    "Solicitare de scutire de la plata impozitului pe clădiri",
    "Cerere de certificat de urbanism pentru construire locuință",
    "Sesizare privind câinii fără stăpân",
    "Adresă a Instituției Prefectului privind recensământul",
    "Cerere de eliberare a adeverinței de rol agricol",
    ]
STREETS = ["Avram Iancu", "Principală", "Libertății", "Mihai Eminescu", "Florilor"]


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: parser.add_argument('--seed', type=int, default=42))
    pool = open_pool(args.config, args.database)
    from trytond.transaction import Transaction

    rng = random.Random(args.seed)
    with Transaction().start(args.database, 0, readonly=True):
        Company = pool.get('company.company')
        companies = Company.search([], order=[('id', 'ASC')], limit=1)
        if not companies:
            print("demo_registry: no municipality in the database, nothing done")
            return
        company_id = companies[0].id
    context = {'company': company_id, 'companies': [company_id], 'language': 'ro'}
    today = dt.date.today()

    def setup():
        Party = pool.get('party.party')
        Department = pool.get('staff.department')
        Employee = pool.get('company.employee')
        User = pool.get('res.user')
        Register = pool.get('document_registry.register')
        persons = Party.search(
            [('person_type', '=', 'natural')], order=[('id', 'ASC')], limit=60)
        if Register.search([('company', '=', company_id)]):
            raise SystemExit("demo_registry: the demo registry already exists")

        def department(name, code, kind, parent=None):
            record, = Department.create([{
                        'company': company_id, 'name': name, 'code': code,
                        'kind': kind, 'parent': parent.id if parent else None}])
            return record
        secretary = department("Secretarul general", 'SG', 'directorate')
        registry = department("Compartimentul registratură", 'REG', 'compartment', secretary)
        economic = department("Direcția economică", 'DE', 'directorate')
        taxes = department("Serviciul impozite și taxe locale", 'SITL', 'service', economic)
        urbanism = department("Compartimentul urbanism", 'URB', 'compartment')

        staff = {}
        for key, dept, party in [
                ('secretary', secretary, persons[0]), ('registry', registry, persons[1]),
                ('director', economic, persons[2]), ('taxes', taxes, persons[3]),
                ('urbanism', urbanism, persons[4])]:
            staff[key], = Employee.create([{
                        'company': company_id, 'party': party.id,
                        'department': dept.id}])
        Department.write([secretary], {'head': staff['secretary'].id},
            [economic], {'head': staff['director'].id})
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {'employees': [('add', [staff['registry'].id])]})
        register, = Register.create([{
                    'company': company_id, 'name': "Registrul general de intrare-ieșire",
                    'code': 'RG'}])
        return {
            'register': register.id,
            'departments': {'taxes': taxes.id, 'urbanism': urbanism.id,
                'registry': registry.id, 'secretary': secretary.id},
            'clerks': {'taxes': staff['taxes'].id, 'urbanism': staff['urbanism'].id},
            'persons': [p.id for p in persons[5:]],
            }
    ids = run_committed(args.database, setup, context)

    def registered(date, type_code, department=None, clerk=None, **values):
        "Create and register one incoming document on date"
        Document = pool.get('document_registry.document')
        DocumentType = pool.get('document_registry.document_type')
        type_, = DocumentType.search([('code', '=', type_code)])
        values.setdefault('issuer', rng.choice(ids['persons']))
        values.setdefault('summary', rng.choice(SUMMARIES).format(
                street=rng.choice(STREETS), year=date.year))
        document, = Document.create([{
                    'company': company_id, 'registry': ids['register'],
                    'direction': 'incoming', 'document_type': type_.id,
                    'channel': rng.choice(['counter', 'post', 'email', 'portal']),
                    'pages': rng.randint(1, 6), 'department': department,
                    'clerk': clerk, **values}])
        moment = dt.datetime.combine(date, dt.time(rng.randint(8, 15), rng.randint(0, 59)))
        with Transaction().set_context(registration_datetime=moment):
            Document.register([document])
        return Document(document.id)

    def reply(document, date, kind='answer'):
        Document = pool.get('document_registry.document')
        answer = Document(company=company_id, reply_to=document,
            summary="Răspuns la " + (document.summary or '')[:80])
        answer.on_change_reply_to()
        answer.reply_kind = kind
        answer.save()
        with Transaction().set_context(registration_datetime=dt.datetime.combine(
                    date, dt.time(12, 0))):
            Document.register([answer])

    def documents():
        Document = pool.get('document_registry.document')
        Party = pool.get('party.party')
        Nomenclature = pool.get('document_registry.nomenclature')
        d = ids['departments']
        c = ids['clerks']
        nomenclature, = Nomenclature.create([{
                    'company': company_id, 'name': "Nomenclatorul arhivistic",
                    'valid_from': dt.date(today.year - 6, 1, 1),
                    'approval': f"HCL nr. 131/{today.year - 7}",
                    'approval_date': dt.date(today.year - 7, 12, 18),
                    'confirmation': f"SJAN, adresa nr. 245/{today.year - 6}",
                    'entries': [('create', [
                                {'code': 'I-1', 'name': "Petiții și răspunsuri",
                                    'retention': '3', 'department': d['registry']},
                                {'code': 'I-2', 'name': "Cereri de informații publice",
                                    'retention': '5', 'department': d['registry']},
                                {'code': 'II-1', 'name': "Registrul de intrare-ieșire",
                                    'retention': 'permanent', 'department': d['registry']},
                                ])],
                    }])
        Nomenclature.approve([nomenclature])
        index = {e.code: e.id for e in nomenclature.entries}
        # earlier years: files already in the archive, some of them expired
        for year in [today.year - 6, today.year - 5, today.year - 2]:
            for month in [2, 5, 9]:
                # (no holiday calendar is shipped for those years: letters without a term)
                document = registered(dt.date(year, month, 10), 'correspondence',
                    d['taxes'], c['taxes'], file_index=index['I-1'])
                reply(document, dt.date(year, month, 24))
                Document.close([Document(document.id)])
        # this year: one document in every state
        start = max(dt.date(today.year, 1, 12), today - dt.timedelta(days=120))
        day = lambda n: min(start + dt.timedelta(days=n), today)  # noqa: E731
        answered = registered(day(0), 'petition', d['taxes'], c['taxes'],
            file_index=index['I-1'])
        reply(answered, day(12))
        closed = registered(day(1), 'information', d['secretary'],
            file_index=index['I-2'])
        reply(closed, day(6))
        Document.close([Document(closed.id)])
        refused = registered(day(2), 'information', d['secretary'])
        reply(refused, day(4), 'refusal')
        registered(day(3), 'petition', issuer=None, anonymous=True)          # filed
        extended = registered(day(60), 'petition', d['urbanism'], c['urbanism'])
        with Transaction().set_context(date=day(70)):
            Document.extend([Document(extended.id)])
        linked_to = registered(day(64), 'petition', d['taxes'], c['taxes'])
        registered(day(66), 'petition', linked_to=linked_to.id)               # linked
        forwarded = registered(day(67), 'petition')
        institution, = Party.create([{'name': "Consiliul Județean"}])
        with Transaction().set_context(date=day(69)):
            Document.forward([Document(forwarded.id)], Party(institution.id))
        late = registered(day(30), 'petition', d['taxes'], c['taxes'])   # overdue
        del late
        registered(today - dt.timedelta(days=25), 'petition', d['taxes'])  # due this week
        registered(today, 'urbanism_request', d['urbanism'])
        registered(today, 'correspondence')                                # registered
        cancelled = registered(today, 'correspondence', summary="Înregistrare greșită")
        Document.write([cancelled], {'resolution': "Înregistrat din greșeală de două ori"})
        Document.cancel([Document(cancelled.id)])
        draft, = Document.create([{
                    'company': company_id, 'registry': ids['register'],
                    'direction': 'outgoing', 'recipient': rng.choice(ids['persons']),
                    'summary': "Adresă către Direcția de Sănătate Publică (în lucru)"}])
        Document.remind_and_escalate(today)
        return Document.search_count([('company', '=', company_id)])
    count = run_committed(args.database, documents, context)

    def archive():
        File = pool.get('document_registry.archive_file')
        Handover = pool.get('document_registry.archive_handover')
        Selection = pool.get('document_registry.archive_selection')
        Company = pool.get('company.company')
        company = Company(company_id)
        registry = ids['departments']['registry']
        for year in [today.year - 6, today.year - 5, today.year - 2]:
            files = File.build(company, year)
            File.close(files)
            handover, = Handover.create([{
                        'company': company_id, 'department': registry,
                        'date': dt.date(year + 2, 3, 1), 'reference': f"PV {year + 2}/1"}])
            Handover.fill([handover])
            Handover.do([handover])
        selection, = Selection.create([{
                    'company': company_id, 'year': today.year,
                    'commission': "Președinte: secretarul general; secretar: arhivarul; "
                    "membru: șeful serviciului impozite și taxe",
                    'commission_act': f"Dispoziția primarului nr. 12/{today.year}",
                    'report': f"PV de selecționare nr. 1/{today.year}",
                    'report_date': dt.date(today.year, 1, 20)}])
        Selection.fill([selection])
        Selection.propose([selection])
        return len(File.search([('company', '=', company_id)]))
    files = run_committed(args.database, archive, context)
    print(f"demo_registry: {count} registered documents, {files} archive files")


if __name__ == '__main__':
    main()
