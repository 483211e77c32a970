"""A synthetic forum made from a seed: the interchange records of `djemaa generate`.

Everything here was written for Djemaa: the vocabularies, sentence shapes, names and forum
titles. Links point at reserved example domains only (RFC 2606: example.org, *.example).

Same sizes and seed, same records, byte for byte, on every Python version: every chance is
taken from `Random.random()`, whose sequence Python keeps for a given seed, and turned into a
choice with +, -, *, / and int() only (correctly rounded everywhere). `choice`, `randrange` or
`shuffle` are never used: their internals changed between versions.

Records are produced as a stream. What stays in memory is small: the usernames (to keep them
unique), the threads under way and the last few posts of each (for quotes and replies).
"""

import heapq
import itertools
import json
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any, TextIO

Record = dict[str, Any]

BIG_THREAD_ID = "t-big"
BIG_THREAD_TITLE = "Le grand fil : on parle de tout — الموضوع الكبير: نتحدث عن كل شيء"
BIG_THREAD_FORUM = "f1"
ANNOUNCEMENTS = 2

# The forum's life: members join from two months before the first post; threads start over
# ten years. Times are whole seconds since the Unix epoch, written in UTC.
OPENING = 1356998400  # 2013-01-01T00:00:00Z
YEARS = 10
SPAN = YEARS * 365 * 86400
JOINING_START = OPENING - 60 * 86400
JOINING_SPAN = SPAN * 9 // 10
DAY = 86400
# The first members moderate: they edit others' posts and write the announcements.
MODERATORS = 3
# One top-level category for every this many forums and sub-forums.
FORUMS_PER_CATEGORY = 8


@dataclass(frozen=True)
class Sizes:
    """How big the forum is. `posts` counts every post, the big thread's included."""

    users: int = 20_000
    forums: int = 40
    threads: int = 50_000
    posts: int = 1_000_000
    big_thread_posts: int = 100_000

    def check(self) -> None:
        """ValueError naming the `djemaa generate` option at fault, in one line."""
        for name in ("users", "forums", "threads", "posts", "big_thread_posts"):
            if getattr(self, name) < 0:
                raise ValueError(f"--{name.replace('_', '-')} must be 0 or more")
        for name in ("users", "forums", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name} must be at least 1")
        if self.posts < self.threads:
            raise ValueError(
                f"--posts ({self.posts}) must be at least --threads ({self.threads}): "
                "every thread opens with a post"
            )
        if not self.big_thread_posts:
            return
        others = self.threads - 1
        if self.posts - self.big_thread_posts < others:
            raise ValueError(
                f"--posts ({self.posts}) must be at least --big-thread-posts "
                f"({self.big_thread_posts}) plus one post for each of the {others} other threads"
            )
        if others == 0 and self.posts != self.big_thread_posts:
            raise ValueError(
                "with --threads 1, the only thread is the big one: "
                "--posts must equal --big-thread-posts"
            )

    @property
    def top_categories(self) -> int:
        return -(-self.forums // FORUMS_PER_CATEGORY)

    @property
    def categories(self) -> int:
        return self.top_categories + self.forums

    @property
    def records(self) -> int:
        return self.users + self.categories + ANNOUNCEMENTS + self.threads + self.posts


class Dice:
    """Choices drawn from `Random.random()` alone (see the module's docstring)."""

    def __init__(self, seed: int) -> None:
        self.random: Callable[[], float] = Random(seed).random

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def pick(self, items: Sequence):
        return items[int(self.random() * len(items))]

    def skewed(self, n: int) -> int:
        """0…n-1, the low end far more often: old members post most, some forums are busy."""
        u = self.random()
        return int(u * u * n)


# The vocabularies keep several items a line, as written: ruff would put one a line.
# fmt: off
# ---- Vocabulary: French ----

FR_SUBJECTS = (
    "le prix du pain", "la nouvelle route", "le marché du vendredi", "la coupure d'eau",
    "le match de dimanche", "l'équipe nationale", "la rentrée scolaire", "le bac",
    "la réforme des retraites", "le loyer", "l'école du quartier", "la bibliothèque municipale",
    "le festival d'été", "la mosquée du centre", "le tramway", "le bus de nuit", "la plage",
    "l'huile d'olive", "la saison des olives", "le couscous de ma mère", "le thé à la menthe",
    "le ramadan", "l'Aïd", "le mariage de mon cousin", "la fibre optique", "le réseau mobile",
    "la poste", "la mairie", "l'hôpital", "la pharmacie de garde", "le visa", "le consulat",
    "l'aéroport", "la vieille ville", "le souk", "le hammam", "le café d'en face",
    "la radio locale", "le journal du soir", "la série du ramadan", "la musique chaâbi", "le raï",
    "la poésie", "la langue arabe", "le français", "l'amazigh", "l'histoire du pays",
    "le patrimoine", "la sécheresse", "la pluie", "le chômage des jeunes", "l'émigration",
    "le logement", "l'électricité", "le forum", "la modération", "la nouvelle version du site",
    "le permis de conduire", "le stade", "la gare routière", "le prix des tomates",
    "le jardin public", "la fête du quartier", "le concours de la fonction publique",
)
FR_PREDICATES = (
    "coûte de plus en plus cher", "a beaucoup changé ces dernières années", "mérite un vrai débat",
    "fait parler tout le quartier", "ne ressemble plus à rien", "reste un mystère pour moi",
    "s'améliore doucement", "pose problème depuis l'été", "divise les familles",
    "revient dans toutes les discussions", "manque cruellement de moyens",
    "n'intéresse personne en haut lieu", "était mieux avant", "a fait la une des journaux",
    "dépend surtout de la mairie", "attire de plus en plus de monde", "tourne en rond",
    "nous rappelle notre enfance", "fait la fierté de la région", "inquiète les anciens",
    "passe avant tout le reste", "change tout pour les jeunes", "demande de la patience",
    "mériterait un article entier", "arrive toujours au mauvais moment",
)
FR_OPENERS = (
    "À mon avis,", "Pour moi,", "Honnêtement,", "Franchement,", "Si je me souviens bien,",
    "D'après mon voisin,", "Entre nous,", "Sans vouloir polémiquer,", "Comme d'habitude,",
    "Bizarrement,", "Au fond,", "De toute façon,", "Il faut le dire,", "Chez nous,",
)
FR_TIMES = (
    "depuis l'an dernier", "cette semaine", "depuis le mois dernier", "ce matin", "hier soir",
    "depuis des années", "chaque été", "pendant le ramadan", "depuis la rentrée",
)
FR_PLACES = (
    "au café", "au marché", "à la sortie de la mosquée", "chez le coiffeur", "au travail",
    "à la fac", "chez ma tante", "dans le bus", "devant l'école", "au hammam",
)
FR_THANKS = (
    "c'est très instructif", "je ne savais pas tout ça", "j'attends la suite avec impatience",
    "ça fait plaisir de lire ça", "je partage avec mes proches", "bonne continuation",
)
# French shapes: {s} a subject, {d} "de" + subject, {p} a predicate, {o} an opener, {t} a
# time, {l} a place.
FR_SHAPES = (
    "{S} {p}.", "{o} {s} {p}.", "Je pense que {s} {p}.", "Que pensez-vous {d} ?",
    "Quelqu'un a des nouvelles {d} ?", "{T}, {s} {p}.", "On en parlait {l} : {s} {p}.",
    "Je ne suis pas d'accord : {s} {p}.", "Vous trouvez aussi que {s} {p} ?",
    "{o} personne ne parle {d}, alors que tout le monde est concerné.",
    "Mon père dit toujours que {s} {p}.", "Il ne faut pas oublier que {s} {p} {t}.",
)
FR_TITLES = (
    "Que pensez-vous {d} ?", "{S} : vos avis", "{S}, encore et toujours", "Question sur {s}",
    "Souvenirs : {s}", "Qui s'y connaît ? {S}", "{S} {p} ?", "Parlons {d}",
    "Besoin de conseils : {s}",
)
FR_LIST_LEADS = ("Ce que j'en retiens :", "Quelques idées en vrac :", "Pour résumer :")
FR_PRESS_LEADS = (
    "Lu ce matin dans la presse :", "Un article intéressant sur le sujet :",
    "Je vous partage cet article :", "Source :",
)

# ---- Vocabulary: Arabic ----

AR_SUBJECTS = (
    "غلاء الأسعار", "النقل العمومي", "الطريق الجديد", "سوق الخضر", "المدرسة", "الامتحانات",
    "كرة القدم", "المنتخب الوطني", "الانتخابات البلدية", "البطالة", "الهجرة", "السكن",
    "الماء الصالح للشرب", "الكهرباء", "الإنترنت", "الهاتف النقال", "رمضان", "العيد", "الزواج",
    "الطبخ", "الكسكس", "الشاي بالنعناع", "زيت الزيتون", "التمر", "الموسم الفلاحي", "المطر",
    "الجفاف", "الجامعة", "المنحة", "التأشيرة", "السفر", "الحافلة", "القطار", "البلدية", "المستشفى",
    "الطبيب", "الدواء", "الصحافة", "الإذاعة المحلية", "التلفزيون", "مسلسل رمضان",
    "الموسيقى الأندلسية", "الشعر", "الكتاب", "المكتبة", "اللغة العربية", "اللغة الفرنسية",
    "الأمازيغية", "تاريخ البلاد", "التراث", "الحي", "الجيران", "المسجد", "الحمام", "المقهى",
    "الملعب", "الشاطئ", "فصل الصيف", "فصل الشتاء", "البحر", "الجبل", "الصحراء", "القرية",
    "المدينة القديمة", "رخصة السياقة", "المنتدى", "قوانين المنتدى",
)
# Predicates that need no agreement with the subject: nouns, prepositional phrases, elatives.
AR_PREDICATES = (
    "موضوع يستحق النقاش", "مشكلة حقيقية", "أمر مهم جدا", "قضية تهم الجميع", "حديث الساعة في الحي",
    "مسألة وقت فقط", "في تحسن مستمر", "في تراجع واضح", "من أهم المواضيع هذه السنة",
    "على لسان الجميع", "بحاجة إلى إصلاح", "بلا حل إلى اليوم", "أغلى من أي وقت مضى",
    "على رأس اهتمامات الشباب", "من ذكريات الطفولة", "فخر المنطقة كلها", "مصدر قلق للكبار",
    "بين أيدي المسؤولين", "موضوع قديم جديد", "أحسن من السنوات الماضية",
)
AR_OPENERS = (
    "في رأيي،", "بصراحة،", "بالنسبة لي،", "حسب ما سمعت،", "كالعادة،", "والله،", "بيني وبينكم،",
    "للأسف،", "الحقيقة،", "عندنا في البلد،",
)
AR_TIMES = (
    "منذ السنة الماضية", "هذا الأسبوع", "منذ الشهر الماضي", "صباح اليوم", "البارحة", "منذ سنوات",
    "كل صيف", "في رمضان", "منذ الدخول المدرسي",
)
AR_PLACES = (
    "في المقهى", "في السوق", "بعد صلاة الجمعة", "عند الحلاق", "في العمل", "في الجامعة",
    "عند خالتي", "في الحافلة", "أمام المدرسة", "في الحمام",
)
AR_THANKS = (
    "موضوع مفيد", "لم أكن أعرف كل هذا", "ننتظر البقية", "بارك الله فيك", "معلومات قيمة",
    "واصل على هذا المنوال",
)
AR_SHAPES = (
    "{s} {p}.", "{o} {s} {p}.", "أعتقد أن {s} {p}.", "ما رأيكم في {s}؟",
    "هل لدى أحدكم أخبار عن {s}؟", "{t}، {s} {p}.", "تحدثنا {l} عن {s}.", "لا أتفق معك، {s} {p}.",
    "هل {s} {p} حقا؟", "{o} لا أحد يتحدث عن {s}، وهذا {p}.", "أبي يقول دائما إن {s} {p}.",
    "يجب أن نتحدث عن {s} قبل فوات الأوان.",
)
AR_TITLES = (
    "ما رأيكم في {s}؟", "{s}: آراؤكم", "سؤال حول {s}", "ذكريات عن {s}", "من يعرف شيئا عن {s}؟",
    "{s} {p}؟", "لنتحدث عن {s}", "نصائح حول {s}",
)
AR_LIST_LEADS = ("ما أفهمه من الموضوع:", "بعض الأفكار:", "باختصار:")
AR_PRESS_LEADS = ("قرأت هذا المقال اليوم:", "مقال مهم حول الموضوع:", "المصدر:")

# Words members of both languages drop into the other one.
AR_IN_FRENCH = (
    "الحمد لله", "إن شاء الله", "الله يعطيك الصحة", "ما شاء الله", "بالتوفيق", "صح عيدكم",
    "يا خويا", "الله يرحمه", "بسم الله",
)
FR_IN_ARABIC = (
    "c'est la vie", "bref", "voilà", "bon courage", "n'importe quoi", "franchement", "bravo",
)
FR_CODE_SWITCH = (
    "Franchement, {a} pour ce partage.", "{a}, je n'ai rien à ajouter.", "Merci pour tout, {a} !",
    "Bon, {a}, on verra bien.",
)
AR_CODE_SWITCH = ("{f}، هذا ما يحدث كل مرة.", "شكرا على الموضوع، {f}!", "{f}… لا تعليق.")

# ---- Names, places, forums ----

LATIN_NAMES = (
    "Amina", "Karim", "Yacine", "Sofiane", "Nadia", "Leila", "Mehdi", "Rachid", "Samir", "Farid",
    "Nassima", "Lyes", "Hakim", "Souad", "Khadija", "Omar", "Bilal", "Ilyes", "Walid", "Yasmine",
    "Sarah", "Inès", "Camille", "Julien", "Claire", "Thomas", "Lucie", "Hugo", "Manon", "Nicolas",
    "Élodie", "Mourad", "Djamel", "Malika", "Zineb", "Hamza", "Anis", "Redouane", "Kenza",
    "Salima", "Youcef", "Idir", "Massinissa", "Tassadit", "Lounes", "Aghiles", "Dihia", "Meriem",
    "Nabil", "Chahinez", "Rania", "Adel", "Fatiha", "Mounir",
)
LATIN_TAGS = (
    "Oran", "Alger", "Tlemcen", "Constantine", "Annaba", "Bejaia", "Casa", "Fes", "Tanger",
    "Rabat", "Tunis", "Sfax", "Sousse", "Marseille", "Lyon", "Lille", "Montreal", "Bruxelles",
    "dz", "du75", "du13", "bled", "kabyle", "sahraoui", "fan", "prof", "toubib", "chef",
)
LATIN_SURNAMES = (
    "benali", "haddad", "mansouri", "belkacem", "cherif", "bouzid", "amrani", "saidi", "meziane",
    "ziani", "lambert", "moreau", "garnier", "fontaine", "rahmani", "tazi",
)
ARABIC_NAMES = (
    "أمينة", "كريم", "ياسين", "سفيان", "نادية", "ليلى", "مهدي", "رشيد", "سمير", "فريد", "خديجة",
    "عمر", "بلال", "وليد", "ياسمين", "سارة", "مراد", "جمال", "مليكة", "زينب", "حمزة", "أنيس",
    "كنزة", "يوسف", "فاطمة", "عائشة", "إبراهيم", "مصطفى", "عبدالقادر", "عبدالرحمن", "نور", "هدى",
    "سلمى", "طارق", "رضا", "منير",
)
ARABIC_TAGS = (
    "الوهراني", "العاصمي", "التلمساني", "القسنطيني", "البجاوي", "المغربي", "التونسي", "الصحراوي",
    "القبائلي", "الفاسي", "المراكشي", "الجزائري", "الرباطي", "الصفاقسي",
)
CITIES = (
    ("Oran", "وهران"), ("Alger", "الجزائر"), ("Tlemcen", "تلمسان"), ("Constantine", "قسنطينة"),
    ("Annaba", "عنابة"), ("Casablanca", "الدار البيضاء"), ("Fès", "فاس"), ("Marrakech", "مراكش"),
    ("Tanger", "طنجة"), ("Rabat", "الرباط"), ("Tunis", "تونس"), ("Sfax", "صفاقس"),
    ("Sousse", "سوسة"), ("Marseille", "مرسيليا"), ("Lyon", "ليون"), ("Montréal", "مونتريال"),
)
TIMEZONES = (
    "Europe/Paris", "Africa/Algiers", "Africa/Casablanca", "Africa/Tunis", "Europe/Brussels",
    "America/Toronto", "Europe/Paris", "Africa/Algiers",
)
FR_SAYINGS = (
    "Petit à petit, l'oiseau fait son nid.", "Qui ne tente rien n'a rien.",
    "Le savoir est la seule richesse qu'on ne peut pas voler.", "Patience et longueur de temps.",
    "Mieux vaut tard que jamais.", "On n'est jamais si bien servi que par soi-même.",
)
AR_SAYINGS = (
    "من جد وجد ومن زرع حصد", "العلم نور", "الصبر مفتاح الفرج", "خير الكلام ما قل ودل",
    "اطلبوا العلم ولو في الصين", "الوقت كالسيف", "يد واحدة لا تصفق",
)
TOP_CATEGORIES = (
    ("Le forum", "المنتدى"), ("Société et actualité", "المجتمع والأخبار"),
    ("Vie quotidienne", "الحياة اليومية"), ("Culture et loisirs", "الثقافة والترفيه"),
    ("Études et travail", "الدراسة والعمل"), ("Voyages et régions", "السفر والجهات"),
    ("Sport", "الرياضة"), ("Technique et informatique", "التقنية والمعلوميات"),
)
FORUM_TOPICS = (
    ("Le café du forum", "مقهى المنتدى"), ("Actualité nationale", "الأخبار الوطنية"),
    ("Revue de presse", "جولة في الصحافة"), ("Cuisine", "المطبخ"), ("Santé", "الصحة"),
    ("Famille", "الأسرة"), ("Religion", "الدين"), ("Cinéma et séries", "السينما والمسلسلات"),
    ("Musique", "الموسيقى"), ("Littérature", "الأدب"), ("Histoire", "التاريخ"),
    ("Le bac", "البكالوريا"), ("L'université", "الجامعة"), ("Emploi", "الشغل"),
    ("Émigration", "الهجرة"), ("Tourisme", "السياحة"), ("Nos villes", "مدننا"),
    ("Football", "كرة القدم"), ("Autres sports", "رياضات أخرى"), ("Téléphones", "الهواتف"),
    ("Ordinateurs", "الحواسيب"), ("Internet", "الإنترنت"), ("Automobile", "السيارات"),
    ("Jardinage", "البستنة"), ("Photographie", "التصوير"), ("Langues", "اللغات"),
    ("Petites annonces", "إعلانات صغيرة"), ("Humour", "فكاهة"), ("Suggestions", "اقتراحات"),
    ("Aide et règlement", "المساعدة والقوانين"),
)
PRESS_DOMAINS = (
    "journal.example", "presse-quotidienne.example", "quotidien.example", "akhbar.example",
    "www.example.com", "actu.example.net",
)
LINK_PATHS = (
    "https://example.org/guide-du-forum", "https://www.example.com/photos/album-{n}",
    "https://example.net/carte?quartier={n}", "https://example.org/videos/{n}",
    "https://docs.example.org/formulaire-{n}.pdf",
)
# Latin letters of the vocabulary without their accents, for URL slugs (a fixed table rather
# than unicodedata, whose tables change with Python's Unicode version).
_SLUG = str.maketrans("àâäçéèêëîïôöùûüÀÂÇÉÈÊÎÔÙÛ'’ ", "aaaceeeeiioouuuAACEEEIOUU---")

LANGUAGES = ("fr", "ar", "mixed")
# fmt: on


def _de(subject: str) -> str:
    """ "de" before a French noun phrase, contracted as French contracts it."""
    if subject.startswith("le "):
        return "du " + subject[3:]
    if subject.startswith("les "):
        return "des " + subject[4:]
    return "de " + subject


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _timestamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class Writer:
    """Titles, sentences, paragraphs, lists and links in French, Arabic or both; signatures."""

    def __init__(self, dice: Dice) -> None:
        self.dice = dice

    def sentence(self, language: str) -> str:
        dice = self.dice
        if language == "mixed":
            language = "fr" if dice.chance(0.5) else "ar"
            if dice.chance(0.3):
                if language == "fr":
                    return dice.pick(FR_CODE_SWITCH).format(a=dice.pick(AR_IN_FRENCH))
                return dice.pick(AR_CODE_SWITCH).format(f=dice.pick(FR_IN_ARABIC))
        if language == "fr":
            subject = dice.pick(FR_SUBJECTS)
            return dice.pick(FR_SHAPES).format(
                s=subject,
                S=_capital(subject),
                d=_de(subject),
                p=dice.pick(FR_PREDICATES),
                o=dice.pick(FR_OPENERS),
                t=dice.pick(FR_TIMES),
                T=_capital(dice.pick(FR_TIMES)),
                l=dice.pick(FR_PLACES),
            )
        return dice.pick(AR_SHAPES).format(
            s=dice.pick(AR_SUBJECTS),
            p=dice.pick(AR_PREDICATES),
            o=dice.pick(AR_OPENERS),
            t=dice.pick(AR_TIMES),
            l=dice.pick(AR_PLACES),
        )

    def title(self, language: str) -> str:
        dice = self.dice
        if language == "mixed":
            return f"{_capital(dice.pick(FR_SUBJECTS))} — {dice.pick(AR_SUBJECTS)}"
        if language == "fr":
            subject = dice.pick(FR_SUBJECTS)
            return dice.pick(FR_TITLES).format(
                s=subject, S=_capital(subject), d=_de(subject), p=dice.pick(FR_PREDICATES)
            )
        return dice.pick(AR_TITLES).format(s=dice.pick(AR_SUBJECTS), p=dice.pick(AR_PREDICATES))

    def paragraph(self, language: str, sentences: int, bbcode: bool) -> str:
        dice = self.dice
        said = [self.sentence(language) for _ in range(sentences)]
        if dice.chance(0.12):
            index = dice.below(len(said))
            if bbcode:
                tag = "b" if dice.chance(0.6) else "i"
                said[index] = f"[{tag}]{said[index]}[/{tag}]"
            else:
                marker = "**" if dice.chance(0.6) else "*"
                said[index] = f"{marker}{said[index]}{marker}"
        return " ".join(said)

    def bullet_list(self, language: str, bbcode: bool) -> str:
        dice = self.dice
        arabic = language == "ar" or (language == "mixed" and dice.chance(0.5))
        subjects, lead = (
            (AR_SUBJECTS, dice.pick(AR_LIST_LEADS))
            if arabic
            else (FR_SUBJECTS, dice.pick(FR_LIST_LEADS))
        )
        items = [_capital(dice.pick(subjects)) for _ in range(dice.between(2, 4))]
        if bbcode:
            return lead + "\n[list]\n" + "".join(f"[*]{item}\n" for item in items) + "[/list]"
        return lead + "\n\n" + "\n".join(f"- {item}" for item in items)

    def press_link(self, language: str, bbcode: bool, moment: int) -> str:
        """A press article's address on an example domain, as members share them."""
        dice = self.dice
        arabic = language == "ar" or (language == "mixed" and dice.chance(0.5))
        year, month = time.gmtime(moment)[:2]
        section = dice.pick(("societe", "economie", "sport", "culture", "regions", "monde"))
        number = dice.between(1000, 99999)
        if arabic:
            subject, lead = dice.pick(AR_SUBJECTS), dice.pick(AR_PRESS_LEADS)
            path = f"ar/{section}/{year}/{month:02d}/{number}"
        else:
            subject, lead = _capital(dice.pick(FR_SUBJECTS)), dice.pick(FR_PRESS_LEADS)
            path = f"{section}/{year}/{month:02d}/{subject.translate(_SLUG).lower()}-{number}"
        url = f"https://{dice.pick(PRESS_DOMAINS)}/{path}.html"
        if dice.chance(0.5):
            return f"{lead} [url={url}]{subject}[/url]" if bbcode else f"{lead} [{subject}]({url})"
        return f"{lead} {url}"

    def link(self) -> str:
        return self.dice.pick(LINK_PATHS).format(n=self.dice.between(1, 500))

    def signature(self, username: str, number: int) -> str:
        dice = self.dice
        city, city_ar = dice.pick(CITIES)
        kind = dice.below(6)
        if kind == 0:
            return f"*{dice.pick(FR_SAYINGS)}*"
        if kind == 1:
            return dice.pick(AR_SAYINGS)
        if kind == 2:
            return f"{dice.pick(AR_SAYINGS)} — *{dice.pick(FR_SAYINGS)}*"
        if kind == 3:
            return f"{city} ❤ {city_ar}"
        if kind == 4:
            return f"**{username}**, {city}. Mon blog : https://example.org/membres/{number}"
        return f"{dice.pick(AR_SAYINGS)}\n{city_ar} — {city}"


@dataclass
class _Thread:
    """A thread while its posts are being written."""

    file_id: str
    category: str
    language: str
    posts: int  # still to write, the opening post included
    pace: int  # mean seconds between two posts
    deleted: bool
    number: int = 0
    # (post id, author's username, a sentence of the post) of its latest posts, to quote.
    recent: deque = field(default_factory=lambda: deque(maxlen=6))


class ForumGenerator:
    """The records of one synthetic forum, in an order the loader accepts."""

    def __init__(self, sizes: Sizes, seed: int = 1) -> None:
        sizes.check()
        self.sizes, self.seed = sizes, seed
        self.dice = Dice(seed)
        self.writer = Writer(self.dice)
        self.usernames: list[str] = []
        self.forum_ids: list[str] = []
        self.post_count = 0

    def records(self) -> Iterator[Record]:
        yield from self.users()
        yield from self.categories()
        yield from self.announcements()
        yield from self.threads_and_posts()

    # ---- Members ----

    def joined(self, index: int) -> int:
        return JOINING_START + JOINING_SPAN * index // self.sizes.users

    def members_by(self, moment: int) -> int:
        """How many members have joined at this moment (the first always has)."""
        joined = (moment - JOINING_START) * self.sizes.users // JOINING_SPAN + 1
        return max(1, min(self.sizes.users, joined))

    def _username(self) -> str:
        dice = self.dice
        if dice.chance(0.6):
            name = dice.pick(LATIN_NAMES)
            style = dice.below(5)
            if style == 1:
                name = f"{name.lower()}{dice.between(1, 99)}"
            elif style == 2:
                name = f"{name}_{dice.pick(LATIN_TAGS)}"
            elif style == 3:
                name = f"{name.lower()}.{dice.pick(LATIN_SURNAMES)}"
            elif style == 4:
                name = f"{name}{dice.between(1960, 2008)}"
        else:
            name = dice.pick(ARABIC_NAMES)
            style = dice.below(4)
            if style == 1:
                name = f"{name}_{dice.pick(ARABIC_TAGS)}"
            elif style == 2:
                name = f"أبو_{name}"
            elif style == 3:
                name = f"{name}{dice.between(1, 99)}"
        return name

    def users(self) -> Iterator[Record]:
        dice, taken = self.dice, set()
        for index in range(self.sizes.users):
            username = self._username()
            # Unique whatever the case, as the site requires: a taken name gets a number.
            while username.casefold() in taken:
                username = f"{username}{dice.between(0, 9)}"
            taken.add(username.casefold())
            self.usernames.append(username)
            number = index + 1
            record: Record = {
                "type": "user",
                "id": f"u{number}",
                "username": username,
                "joined": _timestamp(self.joined(index)),
            }
            if dice.chance(0.6):
                record["signature"] = self.writer.signature(username, number)
            if dice.chance(0.9):
                record["language"] = dice.pick(("fr", "fr", "ar", "ar", "en"))
            if dice.chance(0.7):
                record["timezone"] = dice.pick(TIMEZONES)
            if dice.chance(0.8):
                record["email"] = f"membre{number}@example.org"
            yield record

    # ---- The forum tree ----

    def categories(self) -> Iterator[Record]:
        """Top-level categories; forums spread over them; about one forum in four a sub-forum."""
        dice, sizes = self.dice, self.sizes
        tops = sizes.top_categories
        for index in range(tops):
            french, arabic = TOP_CATEGORIES[index % len(TOP_CATEGORIES)]
            round_ = index // len(TOP_CATEGORIES)
            suffix = f" {round_ + 1}" if round_ else ""
            yield {
                "type": "category",
                "id": f"c{index + 1}",
                "title": f"{french} — {arabic}{suffix}",
                "position": index,
            }
        children: dict[str, int] = {}
        # Forums that may hold sub-forums (the tree is at most three levels deep).
        parents: list[str] = []
        for index in range(sizes.forums):
            file_id = f"f{index + 1}"
            french, arabic = FORUM_TOPICS[index % len(FORUM_TOPICS)]
            round_ = index // len(FORUM_TOPICS)
            if index == 0:
                title = f"{french} — {arabic}"
            else:
                shown = dice.below(3)
                title = (french, arabic, f"{french} | {arabic}")[shown]
                if round_:
                    title = f"{title} ({round_ + 1})"
            if index < tops or not parents or not dice.chance(0.25):
                parent = f"c{index % tops + 1}"
                parents.append(file_id)
            else:
                parent = dice.pick(parents)
            position = children.get(parent, 0)
            children[parent] = position + 1
            self.forum_ids.append(file_id)
            record: Record = {"type": "category", "id": file_id, "title": title}
            if dice.chance(0.8):
                subject = dice.pick(FR_SUBJECTS)
                record["description"] = (
                    f"Tout sur {subject}, et le reste. — كل ما يخص {dice.pick(AR_SUBJECTS)}."
                )
            record["parent"] = parent
            record["position"] = position
            yield record

    def announcements(self) -> Iterator[Record]:
        yield {
            "type": "announcement",
            "id": "a1",
            "title": "Bienvenue — مرحبا بكم",
            "body": (
                "Lisez le **règlement** avant de poster : https://example.org/reglement\n\n"
                "يرجى قراءة **القوانين** قبل المشاركة."
            ),
            "author": "u1",
            "starts": _timestamp(OPENING),
        }
        yield {
            "type": "announcement",
            "id": "a2",
            "title": "Maintenance du serveur — صيانة الخادم",
            "body": "Le forum sera fermé une heure dimanche.\n\nسيغلق المنتدى ساعة يوم الأحد.",
            "category": "c1",
            "author": "u1",
            "starts": _timestamp(OPENING + 3 * 365 * DAY),
            "ends": _timestamp(OPENING + 3 * 365 * DAY + 7 * DAY),
        }

    # ---- Threads and posts ----

    def thread_lengths(self) -> Iterator[int]:
        """The posts of each ordinary thread: most threads short, a few very long.

        A thread's share of the replies grows as 1/(c + u) for a uniform u (a long tail);
        shares are rounded by their running total, so they add up to exactly what was asked.
        The weights are drawn twice from their own seeded stream instead of being kept.
        """
        sizes = self.sizes
        count = sizes.threads - (1 if sizes.big_thread_posts else 0)
        replies = sizes.posts - sizes.big_thread_posts - count

        def weights() -> Iterator[float]:
            draw = Random(f"{self.seed}:thread-lengths").random
            for _ in range(count):
                yield 1.0 / (0.003 + draw())

        total = sum(weights())
        running, given = 0.0, 0
        for index, weight in enumerate(weights()):
            running += weight
            # The last share is what is left: float rounding must not lose or add a post.
            share = replies if index == count - 1 else int(replies * running / total)
            yield 1 + share - given
            given = share

    def _thread_record(self, thread: _Thread, title: str, author: int, moment: int) -> Record:
        dice = self.dice
        record: Record = {
            "type": "thread",
            "id": thread.file_id,
            "category": thread.category,
            "title": title,
            "author": f"u{author + 1}",
            "created": _timestamp(moment),
        }
        if thread.file_id != BIG_THREAD_ID:
            if dice.chance(0.004):
                record["pinned"] = True
            if dice.chance(0.015):
                record["locked"] = True
        if thread.deleted:
            record["deleted"] = True
        return record

    def _post(self, thread: _Thread, author: int, moment: int) -> Record:
        dice, writer = self.dice, self.writer
        self.post_count += 1
        thread.number += 1
        thread.posts -= 1
        post_id = f"p{self.post_count}"
        first = thread.number == 1
        language = thread.language
        if not dice.chance(0.7):
            language = dice.pick(LANGUAGES)
        bbcode = dice.chance(0.12)
        recent = thread.recent
        parts: list[str] = []
        reply_to = None
        if not first and recent and dice.chance(0.25 if thread.file_id == BIG_THREAD_ID else 0.18):
            quoted_id, quoted_name, quoted_text = recent[dice.below(len(recent))]
            parts.append(f"[quote={quoted_name};{quoted_id}]{quoted_text}[/quote]")
            if dice.chance(0.6):
                reply_to = quoted_id
        if not first and reply_to is None and recent and dice.chance(0.15):
            reply_to = recent[dice.below(len(recent))][0]
        opening = writer.sentence(language)
        said = [opening] + [writer.sentence(language) for _ in range(dice.between(0, 2))]
        if not first and dice.chance(0.08):
            # Someone of the thread, or any member who has joined by now.
            if recent and dice.chance(0.6):
                named = recent[dice.below(len(recent))][1]
            else:
                named = self.usernames[dice.below(self.members_by(moment))]
            said[0] = f"@{named} {opening}"
        parts.append(" ".join(said))
        paragraphs = dice.between(2, 4) if first else dice.between(1, 3)
        for _ in range(paragraphs - 1):
            parts.append(writer.paragraph(language, dice.between(1, 3), bbcode))
        if dice.chance(0.05):
            parts.append(writer.bullet_list(language, bbcode))
        if dice.chance(0.25 if first else 0.04):
            parts.append(writer.press_link(language, bbcode, moment))
        elif dice.chance(0.04):
            parts.append(writer.link())
        if not first and dice.chance(0.1):
            thanks = dice.pick(FR_THANKS) if language == "fr" else dice.pick(AR_THANKS)
            parts.append(_capital(thanks) + ".")
        record: Record = {
            "type": "post",
            "id": post_id,
            "thread": thread.file_id,
            "author": f"u{author + 1}",
            "created": _timestamp(moment),
            "body": "\n\n".join(parts),
        }
        if bbcode:
            record["format"] = "bbcode"
        if dice.chance(0.05):
            editor = (
                author if dice.chance(0.85) else dice.below(min(MODERATORS, len(self.usernames)))
            )
            record["edited"] = {
                "by": f"u{editor + 1}",
                "at": _timestamp(moment + dice.between(600, 3 * DAY)),
            }
        if reply_to is not None:
            record["reply_to"] = reply_to
        # The opening post goes only with its thread.
        if not first and dice.chance(0.003):
            record["deleted"] = True
        recent.append((post_id, self.usernames[author], opening))
        return record

    def _author(self, moment: int) -> int:
        return self.dice.skewed(self.members_by(moment))

    def threads_and_posts(self) -> Iterator[Record]:
        """Threads open over the years and their posts alternate in time, as on a live forum.

        A heap holds the next event of each thread under way (its opening, or its next
        post); ordinary threads join it one at a time, in order of their start.
        """
        dice, sizes = self.dice, self.sizes
        order = itertools.count()
        heap: list[tuple[int, int, _Thread]] = []
        if sizes.big_thread_posts:
            big = _Thread(
                file_id=BIG_THREAD_ID,
                category=BIG_THREAD_FORUM,
                language="mixed",
                posts=sizes.big_thread_posts,
                # Spread over the forum's whole life.
                pace=max(1, SPAN * 9 // 10 // sizes.big_thread_posts),
                deleted=False,
            )
            heapq.heappush(heap, (OPENING + DAY, next(order), big))
        count = sizes.threads - (1 if sizes.big_thread_posts else 0)
        lengths = enumerate(self.thread_lengths())
        slot = SPAN // max(1, count)

        def join_next() -> None:
            entry = next(lengths, None)
            if entry is None:
                return
            index, length = entry
            start = OPENING + SPAN * index // count + dice.below(slot)
            u = dice.random()
            # Mean gap from 5 minutes to 2 days, a long thread lasting at most about a year.
            pace = min(300 + int(172800 * u * u * u), 400 * DAY // length)
            thread = _Thread(
                file_id=f"t{index + 1}",
                category=self.forum_ids[dice.skewed(len(self.forum_ids))],
                language=dice.pick(("fr", "fr", "fr", "ar", "ar", "ar", "mixed", "mixed")),
                posts=length,
                pace=max(1, pace),
                deleted=dice.chance(0.003),
            )
            heapq.heappush(heap, (start, next(order), thread))

        join_next()
        while heap:
            moment, _, thread = heapq.heappop(heap)
            author = self._author(moment)
            if thread.number == 0:
                title = (
                    BIG_THREAD_TITLE
                    if thread.file_id == BIG_THREAD_ID
                    else self.writer.title(thread.language)
                )
                yield self._thread_record(thread, title, author, moment)
                if thread.file_id != BIG_THREAD_ID:
                    join_next()
            yield self._post(thread, author, moment)
            if thread.posts:
                gap = 30 + int(2 * thread.pace * dice.random())
                heapq.heappush(heap, (moment + gap, next(order), thread))


def generate_records(sizes: Sizes, seed: int = 1) -> Iterator[Record]:
    """Every record of the forum, in an order `load_records` accepts; ValueError for bad sizes."""
    return ForumGenerator(sizes, seed).records()


# The dump's own layout: compact, UTF-8 as it is. Records hold no floats, whose text could
# change between Python versions.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def write_records(records: Iterable[Record], out: TextIO) -> Counter[str]:
    """Write records as JSON Lines; how many of each type were written."""
    written: Counter[str] = Counter()
    for record in records:
        out.write(_encode(record) + "\n")
        written[record["type"]] += 1
    return written
