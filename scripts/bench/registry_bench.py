"""Load N registered documents with set-based SQL, then measure registering and searching.

Run by scripts/bench/registry on a database where document_registry is activated.
Prints the phases and ends with
    RESULT registry documents=<n> register_p95_ms=<x> search_p95_ms=<y>
"""
import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'lib'))

YEARS = 10
PERSONS = 20000
REGISTRATIONS = 300
SEARCHES = 300
SUMMARIES = [
    'Sesizare privind iluminatul public pe strada {s}',
    'Cerere de eliberare a certificatului de atestare fiscală',
    'Petiție privind colectarea deșeurilor menajere',
    'Cerere de informații publice privind bugetul local',
    'Reclamație privind starea drumului de pe strada {s}',
    'Solicitare de scutire de la plata impozitului pe clădiri',
    'Cerere de certificat de urbanism pentru locuință pe strada {s}',
    'Sesizare privind câinii fără stăpân din cartierul {s}',
    'Adresă a Instituției Prefectului privind recensământul',
    'Cerere de adeverință de rol agricol pentru teren arabil',
    'Declarație fiscală pentru autoturism înmatriculat',
    'Contestație la decizia de impunere pentru anul fiscal',
    ]
STREETS = ['Avram Iancu', 'Mihai Eminescu', 'Libertății', 'Florilor', 'Horea',
    'Ștefan cel Mare', 'Unirii', 'Republicii', 'Independenței', 'Țebei']
LAST = ['Popescu', 'Ionescu', 'Pop', 'Mureșan', 'Rus', 'Moldovan', 'Stan',
    'Dumitrescu', 'Constantinescu', 'Țurcan', 'Șerban', 'Lungu', 'Bălan',
    'Oprea', 'Mihăilă', 'Cozma', 'Grigore', 'Neagu', 'Ardelean', 'Crișan']
FIRST = ['Ion', 'Maria', 'Ana', 'Andrei', 'Elena', 'Vasile', 'Ioana', 'Mihai',
    'Gheorghe', 'Cristina', 'Ștefan', 'Alexandra', 'Radu', 'Irina', 'Dan']


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    f = int(k)
    c = min(f + 1, len(values) - 1)
    return values[f] + (values[c] - values[f]) * (k - f)


def run(database, func, context=None, readonly=False):
    from trytond import backend
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    for attempt in range(50):
        try:
            with Transaction().start(database, 0, context=context or {},
                    readonly=readonly, **extras) as transaction:
                try:
                    result = func()
                except TransactionError as error:
                    transaction.rollback()
                    error.fix(extras)
                    continue
                if not readonly:
                    transaction.commit()
                return result
        except backend.DatabaseOperationalError:
            time.sleep(0.01)
    raise RuntimeError("no transaction succeeded")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--documents', type=int, default=1000000)
    parser.add_argument('--profile', action='store_true',
        help="print where the registration spends its time")
    args = parser.parse_args()

    from trytond_db import open_pool
    pool = open_pool([args.config], args.database)
    from trytond.transaction import Transaction

    rng = random.Random(7)
    database = args.database

    def setup():
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Party = pool.get('party.party')
        Register = pool.get('document_registry.register')
        currency, = Currency.create([{'name': 'Leu', 'code': 'RON', 'symbol': 'lei'}])
        party, = Party.create([{'name': 'Municipiul Bench'}])
        company, = Company.create([{'party': party.id, 'currency': currency.id}])
        register, = Register.create([{'company': company.id, 'code': 'RG',
                    'name': 'Registrul general'}])
        return company.id, register.id
    company, register = run(database, setup)
    context = {'company': company}

    t0 = time.time()
    print(f"==> loading {PERSONS} persons and {args.documents} documents (set-based SQL)",
        flush=True)

    def load():
        cursor = Transaction().connection.cursor()
        lasts = [rng.choice(LAST) for _ in range(PERSONS)]
        firsts = [rng.choice(FIRST) for _ in range(PERSONS)]
        cursor.execute(
            "INSERT INTO party_party (name, last_name, first_name, person_type, "
            "code, active, create_uid, create_date) "
            "SELECT l || ' ' || f, l, f, 'natural', 'B' || i, true, 0, now() "
            "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(l, f, i)",
            (lasts, firsts))
        cursor.execute("SELECT min(id), max(id) FROM party_party WHERE code LIKE 'B%%'")
        low, high = cursor.fetchone()
        cursor.execute("SELECT id FROM document_registry_document_type "
            "WHERE code IN ('petition', 'information', 'correspondence') ORDER BY code")
        types = [r[0] for r in cursor.fetchall()]
        summaries = [s.format(s=rng.choice(STREETS)) for s in SUMMARIES for _ in range(3)]
        # the GIN index is built once after the load, not row by row
        cursor.execute('DROP INDEX IF EXISTS '
            '"document_registry_document_search_vector_idx"')
        this_year = dt.date.today().year
        per_year = -(-args.documents // YEARS)
        first_year = this_year - YEARS
        # one row per document: year from its position, number gapless within the year
        cursor.execute("""
            INSERT INTO document_registry_document (
                company, registry, number, number_int, year, date, registered_at,
                direction, document_type, channel, pages, annexes, issuer, summary,
                state, anonymous, extended, forwarded_late, search_text,
                create_uid, create_date)
            SELECT %(company)s, %(register)s, n::text, n, y, d,
                d + time '09:00' + (n %% 480) * interval '1 minute',
                'incoming', (%(types)s::int[])[1 + g %% 3], 'counter', 1 + g %% 5, 0,
                p.id, s, 'closed', false, false, false,
                lower(unaccent(n::text || ' ' || n::text || '/' || y || ' '
                    || s || ' ' || p.name)),
                0, now()
            FROM generate_series(0, %(total)s - 1) AS g
            CROSS JOIN LATERAL (SELECT %(first)s + g / %(per_year)s AS y,
                1 + g %% %(per_year)s AS n) AS k
            CROSS JOIN LATERAL (SELECT make_date(y, 1, 1)
                + ((n - 1) * 360 / %(per_year)s)::int AS d) AS dd
            CROSS JOIN LATERAL (SELECT (%(summaries)s::text[])[1 + (g * 7) %% %(ns)s] AS s) AS ss
            JOIN party_party p ON p.id = %(low)s + (g::bigint * 7919) %% (%(high)s - %(low)s + 1)
            """, {'company': company, 'register': register, 'types': types,
                'total': args.documents, 'per_year': per_year, 'first': first_year,
                'summaries': summaries, 'ns': len(summaries), 'low': low, 'high': high})
        return per_year, first_year
    per_year, first_year = run(database, load, context)
    print(f"    {args.documents} rows in {time.time() - t0:.0f} s", flush=True)

    def index():
        cursor = Transaction().connection.cursor()
        cursor.execute('CREATE INDEX "document_registry_document_search_vector_idx" '
            'ON document_registry_document USING GIN (search_vector)')
    t1 = time.time()
    run(database, index, context)
    print(f"==> full-text index built in {time.time() - t1:.0f} s", flush=True)

    def sequences():
        Register = pool.get('document_registry.register')
        Year = pool.get('document_registry.register.year')
        register_ = Register(register)
        cursor = Transaction().connection.cursor()
        cursor.execute("SELECT year, max(number_int) FROM document_registry_document "
            "WHERE registry = %s GROUP BY year", (register,))
        for year, last in cursor.fetchall():
            Year.get_sequence(register_, year, start=lambda last=last: last + 1)
    run(database, sequences, context)
    t1 = time.time()
    print("==> VACUUM ANALYZE", flush=True)
    with Transaction().start(database, 0, autocommit=True) as transaction:
        transaction.connection.cursor().execute(
            'VACUUM ANALYZE document_registry_document')
        transaction.connection.cursor().execute('VACUUM ANALYZE party_party')
    print(f"    {time.time() - t1:.0f} s", flush=True)

    def count():
        Document = pool.get('document_registry.document')
        return Document.search_count([])
    total = run(database, count, context, readonly=True)
    print(f"==> {total} documents in the database ({time.time() - t0:.0f} s)", flush=True)

    def persons():
        Party = pool.get('party.party')
        return [p.id for p in Party.search([('code', 'like', 'B%')], limit=500)]
    issuers = run(database, persons, context, readonly=True)

    print(f"==> registering {REGISTRATIONS} documents: each saved as a draft, then "
        "registered, each step a committed transaction",
        flush=True)
    register_ms, save_ms = [], []
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    for i in range(REGISTRATIONS):
        # as in the client: the form is saved (a draft), then Register is clicked
        def save():
            Document = pool.get('document_registry.document')
            document, = Document.create([{
                        'company': company, 'registry': register,
                        'direction': 'incoming', 'channel': 'counter',
                        'issuer': rng.choice(issuers),
                        'summary': rng.choice(SUMMARIES).format(s=rng.choice(STREETS)),
                        }])
            return document.id

        def register_one():
            Document = pool.get('document_registry.document')
            document = Document(draft)
            Document.register([document])
            return document.number
        start = time.perf_counter()
        draft = run(database, save, context)
        middle = time.perf_counter()
        run(database, register_one, context)
        end = time.perf_counter()
        save_ms.append((middle - start) * 1000)
        register_ms.append((end - middle) * 1000)
    if args.profile:
        import pstats
        profiler.disable()
        pstats.Stats(profiler).sort_stats('cumulative').print_stats(40)

    # a fixed mix: numbers (bare and number/year), party names, words of the text
    queries = []
    for i in range(SEARCHES):
        kind = i % 3
        if kind == 0:
            year = first_year + rng.randrange(YEARS)
            number = rng.randint(1, per_year)
            queries.append(f'{number}/{year}' if i % 2 else str(number))
        elif kind == 1:
            queries.append(f'{rng.choice(LAST)} {rng.choice(FIRST)}')
        elif i % 2:
            queries.append(rng.choice([
                        'iluminatul public', 'certificat de urbanism', 'câini fără stăpân',
                        'drumului']) + ' ' + rng.choice(STREETS))
        else:
            queries.append(rng.choice([
                        'scutire impozit clădiri', 'rol agricol', 'atestare fiscala',
                        'contestație decizia de impunere', 'recensământul',
                        'deseurilor menajere']))
    print(f"==> searching {SEARCHES} times (numbers, parties, words; first 50 results)",
        flush=True)
    search_ms = []
    found = []
    for query in queries:
        def search():
            Document = pool.get('document_registry.document')
            documents = Document.search(
                [('rec_name', 'ilike', f'%{query}%')], limit=50)
            return [d.rec_name for d in documents]
        start = time.perf_counter()
        result = run(database, search, context, readonly=True)
        search_ms.append((time.perf_counter() - start) * 1000)
        found.append(len(result))

    def stats(name, values):
        print(f"    {name}: p50 {percentile(values, 50):.1f} ms, "
            f"p95 {percentile(values, 95):.1f} ms, max {max(values):.1f} ms, "
            f"mean {statistics.mean(values):.1f} ms", flush=True)
    stats('save the draft (form)', save_ms)
    stats('register (the Register button)', register_ms)
    stats('save and register', [a + b for a, b in zip(save_ms, register_ms)])
    stats('search', search_ms)
    for kind, label in enumerate(['numbers', 'parties', 'words']):
        values = search_ms[kind::3]
        print(f"      {label}: p50 {percentile(values, 50):.1f} ms, "
            f"p95 {percentile(values, 95):.1f} ms, "
            f"{sum(1 for n in found[kind::3] if n)} of {len(values)} queries found documents",
            flush=True)
    print(f"RESULT registry documents={total} "
        f"register_p95_ms={percentile(register_ms, 95):.1f} "
        f"search_p95_ms={percentile(search_ms, 95):.1f}")


if __name__ == '__main__':
    main()
