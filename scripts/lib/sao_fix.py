"""Correct the installed web client sao: its Romanian catalogue, a new tab on double-click, and
the unlabelled sums under a list.

    python scripts/lib/sao_fix.py SAO_DIR        (run by scripts/lib/bootstrap.sh and the Dockerfile)

1. sao 8.0.11's Romanian catalogue (locale/ro.json, the one sao loads) writes ş ţ with a cedilla
   instead of ș ț with a comma below, leaves words without diacritics ("Descarca", "Se prelucreaza"),
   has a few wrong translations ("Show inactive records" as "show active records") and empty ones
   (sao then shows English). The catalogue is rewritten with ROMANIAN below and every cedilla
   replaced.
2. sao opens a URL typed or pasted in the address bar from its hashchange handler, and sets that
   URL itself (Sao.set_url) whenever the record or the view changes. When a double-click in a list
   comes right after selecting a row (the selection sets the list's URL, the double-click switches
   to the form), the handler runs while the form view is being loaded, no tab has that URL at that
   moment, and a second tab with the list opens. The handler is made to ignore the URL sao set
   itself.
3. Under a list with sums, sao writes two bare numbers in each summed column: the sum of the
   selected rows over the sum of all (0 when none is selected). Each gets its label ("Selectate:",
   "Total:"), translated in the catalogue.

Running it again changes nothing. It fails when sao's files are not what it expects (another
version of sao): then review ROMANIAN and the patch against that version.
"""
import json
import sys
from pathlib import Path

CEDILLA_TO_COMMA = str.maketrans('şţŞŢ', 'șțȘȚ')

# msgid → msgstr (or the list of plural forms: one, few, many), for sao 8.0.11
ROMANIAN = {
    "Are your sure to leave?": "Sigur ieșiți?",
    "Incompatible version of the server.": "Versiune incompatibilă a serverului.",
    "Version mismatch": "Versiuni nepotrivite",
    "Check menu entries to add favorites": "Bifați intrările de meniu pentru a le adăuga la favorite",
    "Remove from favorites": "Eliminare din favorite",
    "Switch": "Comutare",
    "Reload/Undo": "Reîncărcare/Anulare modificări",
    "Duplicate": "Duplicare",
    "Close Tab": "Închidere filă",
    "Note": "Notă",
    "Relate": "Înregistrări legate",
    "Show this help": "Afișare ajutor",
    "Show/Hide access keys": "Afișare/ascundere taste de acces",
    "Unable to reach the server.": "Serverul nu poate fi accesat.",
    "Not found.": "Nu a fost găsit.",
    "Send you an email to reset your password.":
        "Vă trimitem un e-mail pentru resetarea parolei.",
    "Reset forgotten password": "Resetare parolă uitată",
    "A request to reset your password has been sent.\nPlease check your mailbox.":
        "Cererea de resetare a parolei a fost trimisă.\nVerificați-vă căsuța de e-mail.",
    "\"Cancel\" to cancel saving;": "„Anulare” pentru a renunța la salvare;",
    "\"Compare\" to see the modified version;":
        "„Comparare” pentru a vedea versiunea modificată;",
    "\"Write Anyway\" to save your current version.":
        "„Scrie oricum” pentru a salva versiunea dumneavoastră.",
    "Compare": "Comparare",
    "Compare: %1": "Comparare: %1",
    "Report Bug": "Raportare eroare",
    "Processing": "Se prelucrează",
    "Download": "Descărcare",
    "Bold": "Aldin",
    "Justify Right": "Aliniere la dreapta",
    "Justify Left": "Aliniere la stânga",
    "Justify Center": "Centrare",
    "Justify Full": "Aliniere stânga-dreapta",
    "Reload": "Reîncărcare",
    "View Logs...": "Vizualizare jurnal...",
    "Show revisions...": "Afișare revizii...",
    "Chat": "Discuție",
    "This record has been modified\ndo you want to save it?":
        "Această înregistrare a fost modificată.\nDoriți să o salvați?",
    "Working now on the duplicated record(s).":
        "Lucrați acum pe înregistrarea (înregistrările) duplicată (duplicate).",
    "Are you sure to remove those records?": "Sigur eliminați aceste înregistrări?",
    "You have to select one record.": "Trebuie să selectați o înregistrare.",
    "Add...": "Adăugare...",
    "Attachment (%1)": "Atașament (%1)",
    "Clear Search": "Ștergere căutare",
    "Show inactive records": "Afișează înregistrările inactive",
    "Show active records": "Afișează înregistrările active",
    "\"%1\" is required.": "„%1” este obligatoriu.",
    "\"%1\" is not valid according to its domain.": "„%1” nu are o valoare permisă.",
    "The values of \"%1\" are not valid.": "Valorile din „%1” nu sunt valide.",
    "Select a color for \"%1\"": "Alegeți o culoare pentru „%1”",
    "Open the record": "Deschidere înregistrare",
    "Search a record": "Căutare înregistrare",
    "Add": "Adăugare",
    "Restore": "Restaurare",
    "Save As": "Salvare ca",
    "Save As...": "Salvare ca...",
    "Select": "Selectare",
    "Copy Selected Rows": "Copiere rânduri selectate",
    "Reset Column Widths": "Resetare lățime coloane",
    "Failed to copy text to clipboard: %1": "Textul nu a putut fi copiat: %1",
    "Discard changes": "Renunțare la modificări",
    "Save and New": "Salvare și nou",
    "Add and New": "Adăugare și nou",
    "Apply changes": "Aplicare modificări",
    "Logs (%1)": "Jurnal (%1)",
    "Last Modified by:": "Ultima modificare de:",
    "Last Modified at:": "Ultima modificare la:",
    "Quote Char:": "Caracter de citare:",
    "Encoding:": "Codificare:",
    "Lines to Skip:": "Rânduri de sărit:",
    "Import failed": "Import eșuat",
    "%1 record imported": [
        "%1 înregistrare importată", "%1 înregistrări importate",
        "%1 de înregistrări importate"],
    "%1 record saved": [
        "%1 înregistrare salvată", "%1 înregistrări salvate",
        "%1 de înregistrări salvate"],
    "Listed Records": "Înregistrările din listă",
    "Add Field Names": "Adăugare nume de câmpuri",
    "%1/Record Name": "%1/Denumire înregistrare",
    "Override %1 definition?": "Înlocuiți definiția %1?",
    "Reports": "Rapoarte",
    "Files": "Fișiere",
    "Remove File": "Eliminare fișier",
    "Code Scanner": "Scanner de coduri",
    "Add a follower": "Adăugare urmăritor",
    "Subscribe a follower to this channel": "Abonați un urmăritor la acest canal",
    "Show followers": "Afișare urmăritori",
    "Unsubscribe": "Dezabonare",
    "Subscribe": "Abonare",
    "Enter a message": "Scrieți un mesaj",
    "Submit the message": "Trimitere mesaj",
    "Make this an internal message": "Mesaj intern",
    "No notifications at this time": "Nicio notificare deocamdată",
    "All Notifications...": "Toate notificările...",
    "Preferences...": "Preferințe...",
}

# messages the patches below add to sao, msgid → Romanian
ADDED = {
    "Selected: %1": "Selectate: %1",
    "Total: %1": "Total: %1",
}

# (anchor, replacement) in dist/tryton-sao.js; MARK tells that it is done
MARK = 'Sao.own_hash'
PATCHES = [
    ("""            window.location.hash = url;
        }
        Sao.set_title(name);""",
     """            window.location.hash = url;
            Sao.own_hash = window.location.hash;
        }
        Sao.set_title(name);"""),
    ("""    window.onhashchange = function() {
        var session = Sao.Session.current_session;
        if (!session) {
            return;
        }
""",
     """    window.onhashchange = function() {
        var session = Sao.Session.current_session;
        if (!session) {
            return;
        }
        if (window.location.hash === Sao.own_hash) {
            // sao's own URL (Sao.set_url), not one typed in the address bar
            return;
        }
"""),
]
SUM_MARK = "gettext('Total: %1'"
SUM_PATCH = ("""                    aggregate = selected_sum + '\\n' + sum_;""",
    """                    aggregate = Sao.i18n.gettext('Selected: %1', selected_sum) + '\\n'
                        + Sao.i18n.gettext('Total: %1', sum_);""")


def fix_catalogue(path):
    catalogue = json.loads(path.read_text(encoding='utf-8'))
    stale = sorted(set(ROMANIAN) - set(catalogue))
    if stale:
        sys.exit(f"{path}: no such message in this sao: {stale}")
    changed = 0
    for msgid, value in catalogue.items():
        if not msgid:
            continue                    # the header
        new = list(value)
        if msgid in ROMANIAN:
            forms = ROMANIAN[msgid]
            new[1:] = forms if isinstance(forms, list) else [forms]
        new[1:] = [s.translate(CEDILLA_TO_COMMA) if s else s for s in new[1:]]
        if new != value:
            catalogue[msgid] = new
            changed += 1
    for msgid, msgstr in ADDED.items():
        if catalogue.get(msgid) != [None, msgstr]:
            catalogue[msgid] = [None, msgstr]
            changed += 1
    empty = [m for m, v in catalogue.items() if m and not all(v[1:])]
    path.write_text(json.dumps(catalogue, ensure_ascii=False, separators=(',', ':')),
        encoding='utf-8')
    print(f"sao: {path.name}: {changed} messages corrected"
        + (f", still empty: {empty}" if empty else ""))


def fix_hashchange(path):
    source = path.read_text(encoding='utf-8')
    if MARK in source:
        print(f"sao: {path.name}: hashchange already fixed")
        return
    for anchor, replacement in PATCHES:
        if source.count(anchor) != 1:
            sys.exit(f"{path}: not the sao this fix was written for (anchor not found once)")
        source = source.replace(anchor, replacement)
    path.write_text(source, encoding='utf-8')
    print(f"sao: {path.name}: hashchange fixed (no second tab on double-click)")


def label_sums(path):
    source = path.read_text(encoding='utf-8')
    if SUM_MARK in source:
        print(f"sao: {path.name}: sums already labelled")
        return
    anchor, replacement = SUM_PATCH
    if source.count(anchor) != 1:
        sys.exit(f"{path}: not the sao this fix was written for (sums' anchor not found once)")
    path.write_text(source.replace(anchor, replacement), encoding='utf-8')
    print(f"sao: {path.name}: sums labelled (selected, total)")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sao = Path(sys.argv[1])
    fix_catalogue(sao / 'locale' / 'ro.json')
    fix_hashchange(sao / 'dist' / 'tryton-sao.js')
    label_sums(sao / 'dist' / 'tryton-sao.js')


if __name__ == '__main__':
    main()
