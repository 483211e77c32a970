"""The demo forum of `djemaa demo`: invented members, threads and posts, built through the services.

Everything is written for this demo (no real articles or people; links point at reserved
.example domains). Times are relative to now and the long thread comes from a fixed seed,
so every build reads the same, whatever day it runs.
"""

import enum
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from djemaa.accounts.models import User
from djemaa.accounts.services import change_signature, create_member, set_password
from djemaa.core.errors import ServiceError
from djemaa.forums.models import Category
from djemaa.forums.services import create_announcement, create_category
from djemaa.posts.models import Post
from djemaa.posts.services import create_post, edit_post
from djemaa.threads.models import Thread
from djemaa.threads.services import create_thread

ADMIN_USERNAME = "admin"
SEED = 2009
# The forum "opened" this long ago: the founder's account and the oldest imported posts.
FOUNDED = timedelta(days=6 * 365)


def ago(days: float, hours: float = 0) -> timedelta:
    return timedelta(days=days, hours=hours)


@dataclass(frozen=True)
class MemberSpec:
    username: str
    email: str
    language: str
    timezone: str
    joined: timedelta
    signature: str = ""


@dataclass(frozen=True)
class ForumSpec:
    key: str
    title: str
    description: str
    children: tuple["ForumSpec", ...] = ()


@dataclass(frozen=True)
class EditSpec:
    """A later edit that replaces `old` with `new` in the post's text."""

    editor: str
    after: timedelta  # well past the 5-minute grace period, so the "edited" note shows
    old: str
    new: str


@dataclass(frozen=True)
class PostSpec:
    author: str
    ago: timedelta
    text: str
    quote: int | None = None  # index of an earlier post of the thread, quoted above the text
    excerpt: str = ""  # the part quoted; empty quotes the whole post (and its own quotes)
    reply_to: int | None = None  # index of the post this one answers (vBulletin's "Commentaire")
    edit: EditSpec | None = None


@dataclass(frozen=True)
class ThreadSpec:
    forum: str
    title: str
    posts: tuple[PostSpec, ...]
    pinned: bool = False
    locked: bool = False
    fmt: str = "markdown"


MEMBERS = (
    MemberSpec(
        "Karim.B",
        "karim.b@example.org",
        "fr",
        "Europe/Paris",
        ago(2100),
        "Le savoir est une lumière — العلم نور",
    ),
    MemberSpec(
        "Amina",
        "amina@example.org",
        "fr",
        "Africa/Algiers",
        ago(1900),
        "Oranaise exilée à Lyon, toujours une pensée pour la corniche.",
    ),
    MemberSpec(
        "سلمى",
        "salma@example.org",
        "ar",
        "Africa/Casablanca",
        ago(900),
        "أكتب لأفهم، وأقرأ لأتعلم.",
    ),
    MemberSpec(
        "Nour El Houda",
        "nour.elhouda@example.org",
        "fr",
        "Africa/Tunis",
        ago(1200),
        "Tunis ↔ Montréal, entre deux hivers.",
    ),
    MemberSpec(
        "Yacine_dz",
        "yacine@example.org",
        "fr",
        "Africa/Algiers",
        ago(1700),
        "Mes photos de la Casbah : [Casbah en images](https://casbah-images.example.org)",
    ),
    MemberSpec(
        "عبدالرحيم",
        "abderrahim@example.org",
        "ar",
        "Africa/Casablanca",
        ago(440),
        "اللغة وطن نسكنه ويسكننا.",
    ),
    MemberSpec(
        "Mehdi_Casa",
        "mehdi@example.org",
        "fr",
        "Africa/Casablanca",
        ago(1300),
        "Casa, la ville qui ne dort jamais. الدار البيضاء ديما فالقلب.",
    ),
    # His signature names a member, so it is set once everyone exists (see _create_members).
    MemberSpec("Sofiane", "sofiane@example.org", "fr", "America/Montreal", ago(1000)),
    MemberSpec(
        "Lina.T",
        "lina@example.org",
        "en",
        "Europe/Paris",
        ago(210),
        "Learning Arabic one verb at a time.",
    ),
    MemberSpec(
        "Hichem",
        "hichem@example.org",
        "fr",
        "Africa/Tunis",
        ago(1600),
        "Ingénieur le jour, oudiste la nuit.",
    ),
    MemberSpec(
        "فاطمة_الزهراء",
        "fatima.zahra@example.org",
        "ar",
        "Africa/Algiers",
        ago(600),
        "سلامٌ على من يقرأ حتى آخر السطر.",
    ),
    MemberSpec("Rachid64", "rachid64@example.org", "fr", "Europe/Paris", ago(1400)),
    MemberSpec(
        "Meriem",
        "meriem@example.org",
        "fr",
        "America/Montreal",
        ago(80),
        "Annaba → Montréal. Infirmière, lectrice, jamais sans mon thé.",
    ),
)
LATE_SIGNATURES = {
    "Sofiane": "Montréalais d'adoption, Sétifien de cœur. Apprenti oudiste, élève de @Hichem.",
}

TREE = (
    ForumSpec(
        "djemaa",
        "La Djemaa",
        "La vie du forum : annonces, règlement et premiers pas.",
        (
            ForumSpec(
                "annonces",
                "Annonces et règlement",
                "Les nouvelles du site et les règles de la maison, à lire avant de poster.",
            ),
            ForumSpec(
                "presentations",
                "Présentations",
                "Nouveau ici ? Dites-nous d'où vous venez. عرّفنا بنفسك!",
            ),
        ),
    ),
    ForumSpec(
        "actualites",
        "Actualités",
        "L'actualité du Maghreb et d'ailleurs, discutée avec des sources et de la courtoisie.",
        (
            ForumSpec(
                "presse",
                "Presse et revue de presse",
                "Partagez un article : le lien, un résumé avec vos mots, puis votre avis.",
                (
                    ForumSpec("algerie", "Algérie", "La presse algérienne. الصحافة الجزائرية."),
                    ForumSpec("maroc", "Maroc", "La presse marocaine. الصحافة المغربية."),
                    ForumSpec("tunisie", "Tunisie", "La presse tunisienne. الصحافة التونسية."),
                ),
            ),
            ForumSpec(
                "economie",
                "Économie",
                "Prix, emploi, transferts, entreprises : l'économie de tous les jours.",
            ),
        ),
    ),
    ForumSpec(
        "culture",
        "Culture",
        "Livres, musiques, films et cuisines de chez nous.",
        (
            ForumSpec("litterature", "Littérature", "Ce que vous lisez, en toutes langues."),
            ForumSpec("musique", "Musique", "Chaâbi, malouf, gnaoua, raï, et tout le reste."),
            ForumSpec("cinema", "Cinéma", "Films, ciné-club et souvenirs de salles obscures."),
            ForumSpec(
                "cuisine",
                "Cuisine et traditions",
                "Recettes de famille, marchés, fêtes et tables de chez nous.",
            ),
        ),
    ),
    ForumSpec(
        "arabe",
        "اللغة العربية",
        "كل ما يخص لغة الضاد: قواعدها، ولهجاتها، وأسئلة المتعلمين من كل المستويات.",
        (
            ForumSpec(
                "nahw",
                "النحو والصرف",
                "أسئلة وأجوبة في قواعد اللغة العربية، للمبتدئين والمتقدمين.",
            ),
            ForumSpec(
                "darija",
                "الدارجة واللهجات",
                "Darija, dialectes et l'arabe à la maison : on en parle dans toutes les langues.",
            ),
        ),
    ),
)

THREADS = (
    ThreadSpec(
        "annonces",
        "Règlement du forum — à lire avant de poster",
        (
            PostSpec(
                ADMIN_USERNAME,
                ago(1100),
                "Bienvenue sur la Djemaa ! Quelques règles simples pour que le forum reste "
                "agréable pour tout le monde.\n\n"
                "1. **Le respect avant tout** : on critique les idées, jamais les personnes.\n"
                "2. **Écrivez lisiblement** : en français, en arabe ou en darija, mais pas en "
                "langage SMS.\n"
                "3. **Citez vos sources** : un article partagé a son lien et un résumé avec "
                "vos mots.\n"
                "4. **Pas de publicité** ni de liens d'affiliation.\n\n"
                "En cas de doute, écrivez à l'équipe. Bonne lecture !\n\n"
                "مرحبا بكم في الجماعة! نرجو احترام الآخرين، وذكر مصدر كل مقال تشاركونه.",
                edit=EditSpec(
                    ADMIN_USERNAME,
                    ago(700),
                    "4. **Pas de publicité** ni de liens d'affiliation.\n",
                    "4. **Pas de publicité** ni de liens d'affiliation.\n"
                    "5. **Pas de données personnelles** (téléphone, adresse) dans les messages "
                    "publics : utilisez les messages privés.\n",
                ),
            ),
        ),
        pinned=True,
        locked=True,
    ),
    ThreadSpec(
        "annonces",
        "Nouvelle version du forum : vos retours ici",
        (
            PostSpec(
                ADMIN_USERNAME,
                ago(6),
                "La nouvelle version est en ligne depuis aujourd'hui. Ce qui change :\n\n"
                "- les citations renvoient au message d'origine (cliquez sur le nom) ;\n"
                "- le bouton **Commentaire** répond à un message précis ;\n"
                "- `@pseudo` mentionne un membre et lui envoie un lien vers votre message ;\n"
                "- les anciens messages gardent leur mise en forme BBCode.\n\n"
                "Signalez ici ce qui ne va pas, avec le navigateur utilisé si possible.",
            ),
            PostSpec(
                "Yacine_dz",
                ago(5, 21),
                "Bravo pour le travail ! Un petit souci chez moi : quand un lien est suivi "
                "d'une parenthèse fermante, elle est prise dans le lien. Par exemple :\n\n"
                "```\n(voir https://casbah-images.example.org/ruelles)\n```\n\n"
                "Firefox sous Linux.",
            ),
            PostSpec(
                "Karim.B",
                ago(5, 2),
                "@Yacine_dz chez moi la parenthèse reste en dehors du lien, tu as vidé le cache ?",
                reply_to=1,
            ),
            PostSpec(
                "Nour El Houda",
                ago(3),
                "Les citations cliquables, enfin ! Par contre, sur mobile, le bouton "
                "Commentaire est un peu petit pour mes doigts.",
            ),
            PostSpec(
                ADMIN_USERNAME,
                ago(0, 5),
                "Noté : la zone de clic sera agrandie à la prochaine mise à jour. Merci à tous "
                "pour vos retours, continuez !",
                quote=3,
                excerpt="sur mobile, le bouton Commentaire est un peu petit pour mes doigts.",
            ),
        ),
    ),
    ThreadSpec(
        "presentations",
        "Hello from Lille — learning Arabic",
        (
            PostSpec(
                "Lina.T",
                ago(200),
                "Hi everyone! I'm Lina, British, working in a library in Lille, and I've been "
                "learning Arabic for two years. My French is decent, so I'll mostly read in "
                "French and ask silly questions in English. Happy to be here!",
            ),
            PostSpec(
                "Amina",
                ago(199, 20),
                "Welcome Lina ! Bienvenue ! Pose toutes tes questions, il n'y a pas de question "
                "bête ici.",
            ),
            PostSpec(
                "عبدالرحيم",
                ago(199, 6),
                "أهلا وسهلا بك يا لينا. إذا احتجت مساعدة في النحو فأنا هنا.",
            ),
            PostSpec(
                "Lina.T",
                ago(199, 2),
                "شكرا جزيلا! I understood that one without a dictionary, which is a small victory.",
                reply_to=2,
            ),
        ),
    ),
    ThreadSpec(
        "presentations",
        "السلام عليكم، عضو جديد من فاس",
        (
            PostSpec(
                "عبدالرحيم",
                ago(430),
                "السلام عليكم ورحمة الله. اسمي عبد الرحيم، أستاذ لغة عربية في إحدى ثانويات فاس "
                "منذ خمسة عشر عاما. تعرفت على المنتدى عن طريق زميل، وأعجبني أن النقاش هنا هادئ "
                "ومتعدد اللغات. يسعدني أن أشارككم ما أعرف عن لغتنا الجميلة.",
            ),
            PostSpec(
                "سلمى",
                ago(429, 20),
                "وعليكم السلام، مرحبا بك بيننا. قسم اللغة العربية يحتاج إلى أساتذة مثلك!",
            ),
            PostSpec("Mehdi_Casa", ago(429, 3), "مرحبا بيك خويا، فاس ديما منورة 🙂"),
        ),
    ),
    ThreadSpec(
        "presentations",
        "Bonjour de Montréal !",
        (
            PostSpec(
                "Meriem",
                ago(75),
                "Bonjour à toutes et à tous ! Meriem, née à Annaba, installée à Montréal depuis "
                "six ans. Je suis infirmière et je viens surtout pour les discussions sur les "
                "livres et sur la vie ici. Au plaisir de vous lire.",
            ),
            PostSpec(
                "Sofiane",
                ago(74, 22),
                "Une voisine ! Bienvenue Meriem. On est quelques Montréalais sur le forum, on "
                "pourrait organiser un café un de ces jours.",
            ),
            PostSpec("Meriem", ago(74, 20), "Avec plaisir, tiens-moi au courant !", reply_to=1),
            PostSpec(
                "Amina",
                ago(74, 9),
                "Bienvenue ! Annaba, la ville de ma grand-mère 🙂",
            ),
        ),
    ),
    ThreadSpec(
        "presse",
        "Charte de la revue de presse : comment partager un article",
        (
            PostSpec(
                ADMIN_USERNAME,
                ago(500),
                "Pour que cette rubrique reste utile :\n\n"
                "- **un sujet par article**, avec pour titre celui de l'article ou un résumé "
                "fidèle ;\n"
                "- **le lien** vers la source, en entier ;\n"
                "- **un résumé avec vos mots**, quelques lignes : pas de copier-coller de "
                "l'article, il appartient à son journal ;\n"
                "- votre avis si vous le souhaitez, séparé du résumé.\n\n"
                "Les sujets sans source seront déplacés.",
            ),
        ),
        pinned=True,
    ),
    ThreadSpec(
        "algerie",
        "Oran : le front de mer rénové rouvrira au printemps",
        (
            PostSpec(
                "Yacine_dz",
                ago(45),
                "Article paru aujourd'hui dans *Le Quotidien de l'Ouest* :\n"
                "https://www.quotidien-ouest.example/oran/front-de-mer-renovation\n\n"
                "En résumé : la mairie annonce la fin des travaux du front de mer pour le "
                "printemps. Les trottoirs ont été élargis, une piste cyclable longe la "
                "promenade et une trentaine de bancs ombragés ont été installés. Le chantier a "
                "pris un an de retard à cause d'un problème de livraison des dalles.\n\n"
                "Mon avis : si la piste cyclable est vraiment séparée de la route, c'est une "
                "bonne nouvelle. Les Oranais qui passent par là, vous confirmez ?",
                edit=EditSpec(
                    "Yacine_dz",
                    ago(0, 3),
                    "vous confirmez ?",
                    "vous confirmez ?\n\n"
                    "*Edit : le journal précise depuis que l'ouverture est prévue fin mars.*",
                ),
            ),
            PostSpec(
                "Amina",
                ago(44, 18),
                "J'y suis passée cet été : la partie près du port était déjà finie et c'est "
                "vraiment réussi. Par contre, se garer reste un cauchemar.",
            ),
            PostSpec(
                "Sofiane",
                ago(44, 9),
                "Le stationnement, éternel problème de toutes nos villes 😅 À Sétif c'est pareil.",
                quote=1,
                excerpt="Par contre, se garer reste un cauchemar.",
            ),
            PostSpec(
                "Karim.B",
                ago(43),
                "On s'éloigne du sujet, mais c'est vrai : aucun projet de rénovation ne parle "
                "jamais du stationnement.",
                quote=2,
            ),
            PostSpec(
                "فاطمة_الزهراء",
                ago(40),
                "شكرا على المقال. أتمنى أن تبقى الواجهة البحرية نظيفة بعد الافتتاح، فهذا هو "
                "التحدي الحقيقي.",
            ),
        ),
    ),
    ThreadSpec(
        "algerie",
        "Constantine : des bus de nuit à l'essai pendant trois mois",
        (
            PostSpec(
                "Amina",
                ago(12),
                "Lu sur *Cirta Info* : https://www.cirta-info.example/transports/bus-de-nuit\n\n"
                "La régie des transports teste deux lignes de bus de nuit entre le centre-ville "
                "et la nouvelle ville, jusqu'à une heure du matin. Le ticket garde le même prix. "
                "Si la fréquentation suit, les lignes seront maintenues et une troisième "
                "pourrait s'ajouter.\n\n"
                "Les étudiants le demandaient depuis des années.",
            ),
            PostSpec(
                "Yacine_dz",
                ago(11, 5),
                "Excellente nouvelle pour les étudiants. Reste à voir si les horaires seront "
                "tenus.",
            ),
            PostSpec(
                "Hichem",
                ago(10),
                "À Tunis, un essai du même genre a tenu six mois. J'espère que ça marchera "
                "mieux chez vous.",
                reply_to=1,
            ),
        ),
    ),
    ThreadSpec(
        "maroc",
        "الرباط: افتتاح مكتبة وسائطية جديدة في حي أكدال",
        (
            PostSpec(
                "سلمى",
                ago(20),
                "نشرت جريدة *صوت العاصمة* اليوم خبر افتتاح مكتبة وسائطية جديدة في حي أكدال:\n"
                "https://www.sawt-alassima.example/thaqafa/maktaba-agdal\n\n"
                "ملخص الخبر: تضم المكتبة أكثر من عشرين ألف كتاب بالعربية والفرنسية "
                "والأمازيغية، وقاعة للأطفال، وفضاء للعمل مفتوحا حتى العاشرة ليلا. والاشتراك "
                "مجاني للطلبة.\n\n"
                "رأيي: خطوة ممتازة، وأتمنى أن تتبعها أحياء أخرى.",
            ),
            PostSpec("Mehdi_Casa", ago(19, 14), "زوين بزاف! واش كاين شي حاجة بحال هادي فكازا؟"),
            PostSpec(
                "سلمى",
                ago(19, 10),
                "@Mehdi_Casa حسب المقال، كاين مشروع بحالو فالدار البيضاء، ولكن باقي ما تحددش "
                "التاريخ.",
                reply_to=1,
            ),
            PostSpec(
                "Lina.T",
                ago(18),
                "This sounds wonderful. Do they have easy readers for adult learners? I'd "
                "take the train just for that.",
            ),
            PostSpec(
                "عبدالرحيم",
                ago(17),
                "نعم، حسب ما قرأت هناك ركن خاص بتعليم العربية للكبار.\n\n"
                "Yes, there is a corner for adult learners, apparently.",
                reply_to=3,
            ),
        ),
    ),
    ThreadSpec(
        "maroc",
        "Marrakech : un festival du livre jeunesse annoncé pour l'automne",
        (
            PostSpec(
                "Mehdi_Casa",
                ago(250),
                "Vu sur *Le Matin de Marrakech* : "
                "https://www.matin-marrakech.example/culture/festival-livre-jeunesse\n\n"
                "La ville accueillera en octobre un premier festival du livre jeunesse, avec "
                "des auteurs marocains, sénégalais et français, des ateliers d'écriture dans "
                "les écoles et des lectures en darija et en amazighe.\n\n"
                "Je trouve l'idée géniale, nos enfants lisent de moins en moins.",
            ),
            PostSpec(
                "Nour El Houda",
                ago(249, 12),
                "Génial ! Y aura-t-il des livres en arabe pour les plus petits ? C'est ce qui "
                "manque le plus chez les libraires.",
            ),
            PostSpec(
                "Mehdi_Casa",
                ago(249, 8),
                "D'après l'article oui, un stand entier. Si certains veulent y aller à "
                "plusieurs depuis Casa, appelez-moi au 06 12 34 56 78.",
                reply_to=1,
                edit=EditSpec(
                    ADMIN_USERNAME,
                    ago(0, 14),
                    "appelez-moi au 06 12 34 56 78.",
                    "écrivez-moi.\n\n*[Numéro de téléphone retiré par l'administration : pas "
                    "de données personnelles en public, merci.]*",
                ),
            ),
        ),
    ),
    ThreadSpec(
        "tunisie",
        "Sfax : les oliviers face à la sécheresse, témoignages d'agriculteurs",
        (
            PostSpec(
                "Hichem",
                ago(100),
                "Reportage de *La Presse du Sud* :\n"
                "https://www.presse-du-sud.example/agriculture/oliviers-secheresse\n\n"
                "Le journaliste a suivi trois familles d'oléiculteurs autour de Sfax. "
                "Deuxième automne presque sans pluie : certains ont perdu la moitié de leur "
                "récolte, d'autres passent au goutte-à-goutte malgré le coût. Tous disent que "
                "les jeunes ne veulent plus reprendre les oliveraies.\n\n"
                "Mon grand-père avait des oliviers près de Sfax, ça me touche particulièrement.",
            ),
            PostSpec(
                "Nour El Houda",
                ago(99, 15),
                "Même constat dans la famille à Mahdia. Et le prix de l'huile qui s'envole en "
                "ville…",
            ),
            PostSpec(
                "Rachid64",
                ago(99, 4),
                "Ici à Bayonne, l'huile tunisienne a pris presque 40 % en deux ans.",
                quote=1,
                excerpt="Et le prix de l'huile qui s'envole en ville…",
            ),
            PostSpec(
                "Hichem",
                ago(98),
                "@Rachid64 oui, et les producteurs n'en profitent presque pas : ce sont les "
                "intermédiaires qui gagnent.",
                reply_to=2,
            ),
        ),
    ),
    ThreadSpec(
        "tunisie",
        "تونس: حافلات كهربائية جديدة على خطوط الضاحية الشمالية",
        (
            PostSpec(
                "Hichem",
                ago(65),
                "خبر من موقع *أخبار الضاحية*:\n"
                "https://www.akhbar-addahia.example/naql/hafilat-kahraba\n\n"
                "باختصار: ستدخل عشر حافلات كهربائية الخدمة الشهر القادم على خطين بين وسط "
                "المدينة والضاحية الشمالية، مع محطات شحن في المستودع. وتقول الشركة إن التجربة "
                "ستعمم إذا نجحت.\n\n"
                "Bonne nouvelle pour l'air de la ville, si l'entretien suit.",
            ),
            PostSpec(
                "فاطمة_الزهراء",
                ago(64, 12),
                "خطوة جميلة. هل يعرف أحد كم تقطع الحافلة بشحنة واحدة؟",
            ),
            PostSpec(
                "Hichem",
                ago(64, 9),
                "حسب المقال حوالي مئتي كيلومتر، وهذا يكفي ليوم كامل على هذين الخطين.",
                reply_to=1,
            ),
        ),
    ),
    ThreadSpec(
        "economie",
        "Transferts d'argent vers le bled : quelle solution utilisez-vous ?",
        (
            PostSpec(
                "Sofiane",
                ago(160),
                "J'envoie de l'argent à mes parents chaque mois et, entre les frais, le taux "
                "de change et les délais, je m'y perds. Vous utilisez quoi ?\n\n"
                "- le virement bancaire classique ;\n"
                "- une agence de transfert ;\n"
                "- une application mobile ;\n"
                "- le cousin qui rentre l'été 😄",
            ),
            PostSpec(
                "Karim.B",
                ago(159, 20),
                "Application mobile depuis deux ans. Les frais sont raisonnables, mais "
                "**comparez toujours le taux** : c'est là qu'ils se rattrapent.",
            ),
            PostSpec(
                "Mehdi_Casa",
                ago(159, 10),
                "Pour le Maroc, le virement vers un compte local marche bien, compte un à deux "
                "jours.",
            ),
            PostSpec(
                "Meriem",
                ago(150),
                "Tellement vrai. J'ai fait le calcul une fois : sur un an, la différence "
                "payait un billet d'avion.",
                quote=1,
                excerpt="**comparez toujours le taux** : c'est là qu'ils se rattrapent.",
            ),
        ),
    ),
    ThreadSpec(
        "economie",
        "Télétravail depuis Tunis pour une entreprise européenne : retours d'expérience ?",
        (
            PostSpec(
                "Hichem",
                ago(9),
                "Une entreprise lyonnaise me propose un poste de développeur en télétravail "
                "complet depuis Tunis. Quelqu'un a l'expérience : contrat, impôts, horaires ? "
                "Je ne veux pas faire de bêtise administrative.",
            ),
            PostSpec(
                "Karim.B",
                ago(8, 21),
                "Souvent, le plus simple est de créer ta propre structure en Tunisie et de "
                "facturer. Demande conseil à un comptable là-bas, les règles changent souvent.",
            ),
            PostSpec(
                "Nour El Houda",
                ago(8, 12),
                "Je l'ai fait deux ans depuis Tunis pour une agence parisienne. Mon conseil : "
                "écris noir sur blanc tes horaires de disponibilité dès le départ.",
            ),
            PostSpec(
                "Hichem",
                ago(8, 9),
                "Merci Nour El Houda, c'est noté. Et pour la connexion, tu avais une solution "
                "de secours ?",
                reply_to=2,
            ),
            PostSpec(
                "Nour El Houda",
                ago(8, 2),
                "Une clé 4G chez un autre opérateur. Elle m'a sauvée plus d'une fois !",
                reply_to=3,
            ),
        ),
    ),
    ThreadSpec(
        "economie",
        "Billets d'avion pour l'été : ça devient n'importe quoi",
        (
            PostSpec(
                "Meriem",
                ago(2, 10),
                "Je viens de regarder les vols Montréal–Alger pour juillet : presque le double "
                "de l'an dernier. Vous réservez quand, vous ?",
            ),
            PostSpec(
                "Sofiane",
                ago(2, 6),
                "En janvier au plus tard, et en évitant les samedis. Les escales en Europe "
                "font parfois gagner pas mal, si on supporte les longues attentes.",
            ),
            PostSpec(
                "Rachid64",
                ago(1, 18),
                "Depuis Bayonne, je prends le bateau à Sète certaines années. Plus long, mais "
                "avec la voiture pleine de cadeaux 😄",
            ),
        ),
    ),
    ThreadSpec(
        "litterature",
        "Vos lectures du moment",
        (
            PostSpec(
                "Amina",
                ago(800),
                "On ouvre un fil pour partager ce qu'on lit en ce moment, en toutes langues. "
                "Pas de critique savante, juste un mot ou deux.\n\n"
                "Je termine *La Maison aux volets bleus*, un premier roman sur trois "
                "générations de femmes à Béjaïa. Lent au début, puis impossible à lâcher.",
            ),
            PostSpec(
                "Meriem",
                ago(70),
                "Je découvre ce fil ! En ce moment, un recueil de nouvelles sur l'exil, lu dans "
                "le métro. Parfait pour des trajets de vingt minutes.",
            ),
            PostSpec(
                "سلمى",
                ago(40, 6),
                "أقرأ حاليا رواية قصيرة عن صياد عجوز في الصويرة، لغتها بسيطة وجميلة، وأنصح بها "
                "المبتدئين في العربية.",
            ),
            PostSpec(
                "Lina.T",
                ago(39),
                "Thank you! I understood « a short novel about an old fisherman in Essaouira », "
                "I'll look for it.",
                quote=2,
            ),
            PostSpec(
                "Rachid64",
                ago(3),
                "Un polar qui se passe entre Marseille et Oran, acheté pour la plage et fini "
                "en deux soirs.",
            ),
        ),
    ),
    ThreadSpec(
        "litterature",
        "ما الكتاب الذي غيّر نظرتك إلى الأشياء؟",
        (
            PostSpec(
                "فاطمة_الزهراء",
                ago(130),
                "سؤال بسيط لكنه يشغلني: هل هناك كتاب قرأتموه فغيّر طريقة تفكيركم؟ لا يهم إن "
                "كان رواية أو سيرة أو كتابا علميا. أنا مثلا قرأت في العشرين كتابا عن تاريخ "
                "المدن المتوسطية، فصرت أنظر إلى شوارع مدينتي بعين أخرى.",
            ),
            PostSpec(
                "عبدالرحيم",
                ago(129, 10),
                "سؤال جميل. بالنسبة لي كان كتابا في تاريخ الخط العربي، جعلني أنتبه إلى جمال "
                "الحرف في كل لافتة أمر بها.",
            ),
            PostSpec(
                "Karim.B",
                ago(128, 22),
                "Pour moi, un livre de vulgarisation sur l'astronomie lu à quinze ans : depuis, "
                "je lève les yeux vers le ciel chaque soir.\n\n"
                "بالنسبة لي، كتاب في علم الفلك قرأته في الخامسة عشرة، ومنذ ذلك الحين أرفع "
                "عينيّ إلى السماء كل ليلة.",
            ),
            PostSpec(
                "فاطمة_الزهراء",
                ago(128, 3),
                "جميل جدا، وشكرا على كتابة الفقرتين 🌙",
                quote=2,
                excerpt="بالنسبة لي، كتاب في علم الفلك قرأته في الخامسة عشرة.",
                reply_to=2,
            ),
        ),
    ),
    ThreadSpec(
        "musique",
        "Le chaâbi algérois : par où commencer ?",
        (
            PostSpec(
                "Rachid64",
                ago(300),
                "Mon père écoutait du chaâbi tous les dimanches et je n'y connais rien. Par où "
                "commencer pour comprendre cette musique : les instruments, les thèmes, la "
                "façon d'écouter ?",
            ),
            PostSpec(
                "Hichem",
                ago(299, 16),
                "Commence par repérer les instruments un par un : le mandole, le banjo, la "
                "derbouka, parfois le piano. Ensuite, les longues introductions "
                "instrumentales (l'istikhbar) prennent tout leur sens.",
            ),
            PostSpec(
                "Amina",
                ago(299, 4),
                "C'est exactement ça. Et il faut accepter que les morceaux durent vingt "
                "minutes : c'est une musique de veillée, pas de radio.",
                quote=1,
                excerpt="les longues introductions instrumentales (l'istikhbar)",
            ),
            PostSpec(
                "Rachid64",
                ago(298),
                "Merci à vous deux, je vais ressortir les cassettes de mon père.",
                reply_to=1,
            ),
        ),
    ),
    ThreadSpec(
        "musique",
        "Apprendre le oud à 40 ans, c'est raisonnable ?",
        (
            PostSpec(
                "Sofiane",
                ago(5),
                "Question sérieuse : j'ai 41 ans, aucune base de solfège, et j'ai envie "
                "d'apprendre le oud depuis toujours. Trop tard ?",
            ),
            PostSpec(
                "Hichem",
                ago(4, 22),
                "Jamais trop tard, j'ai commencé à 35 ans ! Compte un an avant de jouer "
                "quelque chose d'agréable, mais on progresse chaque semaine. Prends un prof au "
                "moins au début : la main droite est difficile à corriger seul.",
            ),
            PostSpec(
                "Meriem",
                ago(4, 8),
                "Il y a une école de musique arabe à Montréal, je peux te retrouver le nom.",
            ),
            PostSpec("Sofiane", ago(4, 2), "@Meriem oui, je veux bien, merci !", reply_to=2),
            PostSpec(
                "Hichem",
                ago(2),
                "Et @Sofiane, raconte-nous ta première leçon 🙂",
            ),
        ),
    ),
    ThreadSpec(
        "cinema",
        "Les cinémas de quartier d'autrefois",
        (
            PostSpec(
                "Karim.B",
                ago(1500),
                "[b]Qui se souvient des cinémas de quartier ?[/b]\n\n"
                "Chez nous il y avait le [i]Rex[/i] et le [i]Colisée[/i]. Séance double le "
                "dimanche, un film d'action puis un vieux film égyptien, et le projectionniste "
                "qui coupait la fin quand il était pressé.\n\n"
                "Racontez vos souvenirs !",
            ),
            PostSpec(
                "Amina",
                ago(1499, 12),
                "Le balcon pour les familles, le parterre pour les garçons :D\n"
                "Et l'entracte avec les cacahuètes dans un cornet de papier journal.",
            ),
            PostSpec(
                "Yacine_dz",
                ago(1498),
                "[b]Les cacahuètes ![/b] J'avais oublié. Un groupe photographie les anciennes "
                "salles, voir [url=https://cinemas-disparus.example.org]Cinémas disparus[/url].",
                quote=1,
            ),
        ),
        fmt="bbcode",
    ),
    ThreadSpec(
        "cinema",
        "Ciné-club du forum : on regarde quoi ce mois-ci ?",
        (
            PostSpec(
                "Meriem",
                ago(25),
                "Je propose qu'on choisisse chaque mois un film, qu'on le regarde chacun de son "
                "côté et qu'on en parle ici :\n\n"
                "1. on propose jusqu'au 10 du mois ;\n"
                "2. on vote par un message ;\n"
                "3. on en parle à partir du 25, **sans rien dévoiler** dans les titres.\n\n"
                "Vos propositions ?",
            ),
            PostSpec(
                "Sofiane",
                ago(24, 15),
                "Bonne idée ! Je propose un documentaire sur les petits ports de pêche de la "
                "côte, vu dans un festival l'an dernier.",
            ),
            PostSpec(
                "سلمى",
                ago(24, 3),
                "فكرة رائعة! أقترح فيلما قصيرا عن الهجرة، أو أي فيلم بالدارجة مع ترجمة.",
            ),
            PostSpec(
                "Meriem",
                ago(22),
                "On vote alors : le documentaire de @Sofiane ou le film court proposé par @سلمى ?",
            ),
        ),
    ),
    ThreadSpec(
        "nahw",
        "سؤال: كيف نكتب الهمزة المتوسطة والمتطرفة؟",
        (
            PostSpec(
                "فاطمة_الزهراء",
                ago(0, 22),
                "أخلط دائما بين «شيء» و«شيئا» و«مسؤول». هل من قاعدة بسيطة لكتابة الهمزة "
                "المتوسطة والمتطرفة؟",
            ),
            PostSpec(
                "عبدالرحيم",
                ago(0, 20),
                "القاعدة باختصار: ننظر إلى حركة الهمزة وحركة الحرف الذي قبلها، ونختار "
                "الأقوى:\n\n"
                "- **الكسرة** أقوى الحركات، وتناسبها الياء (النبرة): سُئِل، بِئْر؛\n"
                "- ثم **الضمة** وتناسبها الواو: مُؤْمن، يَؤُمّ؛\n"
                "- ثم **الفتحة** وتناسبها الألف: سَأَل، رَأْس؛\n"
                "- ثم **السكون**.\n\n"
                "أما الهمزة المتطرفة فتُكتب على حرف يناسب حركة ما قبلها، وعلى السطر إذا سبقها "
                "ساكن: شَيْء، جُزْء.",
                edit=EditSpec(
                    "عبدالرحيم",
                    ago(0, 1),
                    "شَيْء، جُزْء.",
                    "شَيْء، جُزْء.\n\n"
                    "إضافة: في «شيئا» تصير الهمزة متوسطة بسبب ألف التنوين، فتُكتب على نبرة.",
                ),
            ),
            PostSpec(
                "Lina.T",
                ago(0, 18),
                "This is the clearest explanation I've seen. So in «مسؤول» the hamza has a "
                "damma and the letter before it has a sukun: the damma wins, hence the waw? "
                "شكرا!",
                quote=1,
                excerpt="**الكسرة** أقوى الحركات، وتناسبها الياء (النبرة)",
            ),
            PostSpec("عبدالرحيم", ago(0, 17), "Exactly! ممتاز يا لينا.", reply_to=2),
        ),
    ),
    ThreadSpec(
        "darija",
        "Darija ou arabe standard avec les enfants : comment faites-vous ?",
        (
            PostSpec(
                "Nour El Houda",
                ago(60),
                "On vit à Tunis, mais mon mari est marocain : à la maison, c'est un mélange de "
                "darija tunisienne, de darija marocaine et de français. Notre fille de six ans "
                "entre à l'école et l'arabe standard lui paraît une langue étrangère. Comment "
                "faites-vous, vous ?",
            ),
            PostSpec(
                "Mehdi_Casa",
                ago(59, 12),
                "Chez nous, on a choisi : darija à la maison, et une demi-heure de lecture en "
                "arabe standard le soir, avec des albums illustrés. Au début elle râlait, "
                "maintenant c'est elle qui réclame.\n\n"
                "المهم في رأيي أن ترتبط الفصحى عند الطفل بالمتعة لا بالواجب، فحكاية قبل النوم "
                "أفضل من أي تمرين.",
            ),
            PostSpec(
                "سلمى",
                ago(58),
                "أوافقك تماما. وأضيف أن الرسوم المتحركة المدبلجة بالفصحى ساعدت أجيالا كاملة.",
                quote=1,
                excerpt="المهم في رأيي أن ترتبط الفصحى عند الطفل بالمتعة لا بالواجب.",
            ),
            PostSpec(
                "Nour El Houda",
                ago(57),
                "Merci @Mehdi_Casa, on va essayer les albums du soir.",
                reply_to=1,
            ),
            PostSpec(
                "Karim.B",
                ago(50),
                "حنا فالدار نهدرو بالدارجة، والولاد يقراو الفصحى فالمدرسة، وما كاين حتى مشكل. "
                "المهم هو الصبر.",
            ),
        ),
    ),
    ThreadSpec(
        "darija",
        "Un mot de darija intraduisible ?",
        (
            PostSpec(
                "Yacine_dz",
                ago(350),
                "Chacun propose un mot de chez lui difficile à traduire. Je commence : "
                "**« zaâma »** (زعمة) veut dire à la fois « soi-disant », « par exemple » et "
                "« ah bon ? », selon le ton.",
            ),
            PostSpec(
                "Mehdi_Casa",
                ago(349, 20),
                "**« safi »** (صافي) : « c'est bon », « ça suffit », « d'accord », « fini »… "
                "Le mot qui clôt toutes les discussions 😄",
            ),
            PostSpec(
                "Hichem",
                ago(349, 2),
                "En Tunisie, **« barcha »** (برشا) : beaucoup. Et « barcha barcha », vraiment "
                "beaucoup.",
            ),
            PostSpec(
                "Lina.T",
                ago(346),
                "I love this thread. My teacher says « inchallah » can mean yes, no and maybe.",
            ),
        ),
    ),
)

# The long thread: the demo's marker too (see site_state), so its title must stay unique.
LONG_THREAD_TITLE = "Le grand fil de la cuisine de chez nous : recettes, astuces et ratages"
LONG_THREAD_OPENING = (
    "Un fil pour partager ce qu'on cuisine, les recettes de famille et les astuces de "
    "grand-mère. Une seule règle : au moins une astuce par message !\n\n"
    "Je commence : la chorba frik de ma mère, avec de l'agneau, une poignée de frik, de la "
    "coriandre et une cuillère de smen à la toute fin."
)
LONG_THREAD_POSTS = 65
LONG_THREAD_SPAN = (ago(90), ago(0, 2))
# Members who post there. Lina (who writes English) and Nour El Houda ("@Nour El Houda" cannot
# mention: the name has spaces) talk elsewhere.
COOKS = (
    "Amina",
    "Karim.B",
    "Yacine_dz",
    "Mehdi_Casa",
    "Sofiane",
    "Meriem",
    "Hichem",
    "Rachid64",
    "سلمى",
    "فاطمة_الزهراء",
)
DISHES = (
    "Chez nous à Tlemcen, la harira se prépare avec des pois chiches trempés la veille et "
    "beaucoup de coriandre fraîche.",
    "Ce soir, bourek à la viande hachée et à l'œuf, roulés dans des feuilles de dioul "
    "achetées au marché.",
    "Ma mère ajoute toujours une poignée de frik grillé à la chorba, sinon ce n'est pas la "
    "même soupe.",
    "Essayez la chebakia maison au moins une fois : c'est long, mais l'odeur du miel et de la "
    "fleur d'oranger vaut l'effort.",
    "Pour la brik, l'astuce est d'huiler à peine la poêle et de plier la feuille au dernier "
    "moment, sinon l'œuf coule.",
    "عندنا فالدار الحريرة بلا طماطم بزاف، وكنزيدو شوية ديال العدس.",
    "J'ai tenté le tajine zitoune avec des olives vertes dessalées la veille : succès total.",
    "Le mhadjeb de ma voisine reste imbattable, je n'arrive pas à étirer la pâte aussi fin.",
    "La lham lahlou aux pruneaux et aux abricots secs, c'est obligatoire le premier soir chez "
    "nous.",
    "Salade méchouia, dattes et lben, rien de plus : parfois la simplicité suffit.",
    "في تونس نحبو البريك بالتن والعظم، ومعاه شوية قارص.",
    "أنصح بإضافة القليل من القرفة إلى طاجين البرقوق، فهي تمنحه نكهة رائعة.",
    "Le couscous du vendredi chez ma tante : sept légumes, pas un de moins, et le bouillon "
    "servi à part.",
    "J'ai enfin réussi le msemen feuilleté : beurre fondu, semoule fine et beaucoup de patience.",
    "Les makrouts au four plutôt que frits : plus légers, et franchement aussi bons.",
    "Chorba beida pour changer : vermicelles, poulet, un jaune d'œuf et du citron à la fin.",
    "Première rechta roulée à la main ce week-end : des nouilles irrégulières, mais un délice.",
    "Pour la kesra, je laisse reposer la pâte une heure de plus : la mie est bien meilleure.",
    "Les zlabia du quartier ne valent pas celles de mon enfance, mais elles font l'affaire.",
    "La mloukhia de ma belle-mère mijote six heures, et elle dit que c'est un minimum.",
    "سلطة الحمص بالكمون وزيت الزيتون، سهلة وسريعة ومغذية.",
    "Ojja merguez ce soir : tomates, poivrons, harissa, et les œufs cassés directement dedans.",
    "Je garde toujours un pot de smen de l'année d'avant pour le couscous de l'Aïd, comme ma "
    "grand-mère.",
    "Tajine de poulet au citron confit et aux olives violettes : le citron fait maison change "
    "tout.",
    "Les dolma de courgettes de ma tante : farcies à la viande et au riz, sauce blanche au citron.",
    "La tchoutchouka, c'est poivrons grillés à la flamme et tomates fondues. Rien d'autre.",
    "الرفيسة ديال الجدة: مسمن مقطع، عدس، حلبة ودجاج بلدي. ماكلة ديال الخير.",
    "Le baghrir réussit mieux avec une pâte bien mixée et une poêle très chaude : les trous se "
    "forment tout seuls.",
)
OPENERS = (
    "Salam tout le monde !",
    "Bonsoir la Djemaa.",
    "Je passe en coup de vent avant le dîner.",
    "مساء الخير للجميع.",
    "Petite contribution du jour :",
    "Ce fil me donne faim à chaque fois 😅",
    "Retour d'expérience :",
)
ENDINGS = (
    "Bon appétit !",
    "Je posterai une photo si elle survit au dîner.",
    "Quelqu'un a une version sans gluten ?",
    "Vos avis ?",
    "Qui a une bonne adresse pour acheter de la dioul à Lyon ?",
    "بالصحة والراحة.",
    "La liste de courses s'allonge, merci ce fil !",
)
CHATS = (
    "Question aux Marocains du fil : la harira, vous la faites avec ou sans vermicelles ?",
    "Ma fille veut apprendre à rouler le couscous à la main. Quelqu'un connaît un atelier à "
    "Paris ?",
    "Au marché : les premières fèves de la saison sont arrivées !",
    "Vous gardez les recettes dans un cahier, ou tout est dans la tête des mamans ?",
    "Conseil de débutant : ne jamais laisser la semoule sans surveillance. Ma cuisine s'en "
    "souvient.",
    "هل من وصفة سهلة للمسمن بدون خميرة؟",
    "البارح طيبنا الكسكس مع الجيران، والله كانت سهرة زوينة.",
    "On devrait faire un livre de recettes du forum, avec le pseudo de chacun sous sa recette !",
    "Ratage du jour : mes makrouts ont éclaté dans l'huile. On rit, et on recommence.",
)
REACTIONS = (
    "Pareil chez nous, à la virgule près.",
    "Je confirme, testé hier soir : validé par toute la famille.",
    "Ah non, chez nous ce serait un sacrilège 😄 Mais chacun ses traditions.",
    "Tu me rappelles ma grand-mère.",
    "عندنا نفس الشيء تماما.",
    "Noté ! Je l'essaie ce week-end.",
    "C'est exactement ce qui manquait à ma recette.",
    "والله فكرة زوينة، غادي نجربها.",
    "Ma mère dirait exactement la même chose.",
    "Voilà qui règle un débat vieux de vingt ans dans ma famille.",
)
QUESTIONS = (
    "tu peux donner les quantités ?",
    "merci, je teste ce week-end.",
    "ta version ressemble beaucoup à celle de ma tante !",
    "شكرا على الوصفة، سأجربها قريبا.",
    "et tu la sers avec quoi ?",
    "combien de temps de cuisson, à peu près ?",
    "ça se congèle bien, à ton avis ?",
    "tu mets du smen ou du beurre ?",
    "j'essaie demain et je te dis !",
    "c'est la recette de ta mère ?",
)


class _Deck:
    """Hands out a list's items in a shuffled order and reshuffles only once all are used,
    so a sentence comes back as late as possible."""

    def __init__(self, rng: random.Random, items: tuple[str, ...]) -> None:
        self.rng, self.items, self.left = rng, items, []

    def draw(self) -> str:
        if not self.left:
            self.left = list(self.items)
            self.rng.shuffle(self.left)
        return self.left.pop()


def _long_thread(rng: random.Random) -> ThreadSpec:
    """The kitchen thread: the sentences above combined by a seeded random."""
    earliest, latest = LONG_THREAD_SPAN
    # Spread over the span, oldest first; the last post lands exactly at `latest`.
    fractions = sorted((rng.random() for _ in range(LONG_THREAD_POSTS - 2)), reverse=True)
    ages = [latest + (earliest - latest) * f for f in fractions] + [latest]
    dishes, chats = _Deck(rng, DISHES), _Deck(rng, CHATS)
    reactions, questions = _Deck(rng, REACTIONS), _Deck(rng, QUESTIONS)
    posts = [PostSpec("Amina", earliest, LONG_THREAD_OPENING)]
    dish_of: dict[int, str] = {}  # post index -> the dish sentence it shares
    unquoted: list[int] = []  # dish posts nobody has quoted yet: each is quoted once at most
    for age in ages:
        author = rng.choice([cook for cook in COOKS if cook != posts[-1].author])
        quotable = [index for index in unquoted if posts[index].author != author]
        recent = [index for index in list(dish_of)[-4:] if posts[index].author != author]
        roll = rng.random()
        if roll < 0.25 and quotable:
            quoted = rng.choice(quotable)
            unquoted.remove(quoted)
            text = reactions.draw()
            post = PostSpec(author, age, text, quote=quoted, excerpt=dish_of[quoted])
        elif 0.25 <= roll < 0.45 and recent:
            answered = rng.choice(recent)
            text = f"@{posts[answered].author} {questions.draw()}"
            post = PostSpec(author, age, text, reply_to=answered)
        elif 0.45 <= roll < 0.55:
            post = PostSpec(author, age, chats.draw())
        else:
            dish_of[len(posts)] = dish = dishes.draw()
            unquoted.append(len(posts))
            parts = (
                rng.choice(OPENERS) if rng.random() < 0.4 else "",
                dish,
                rng.choice(ENDINGS) if rng.random() < 0.5 else "",
            )
            post = PostSpec(author, age, " ".join(part for part in parts if part))
        posts.append(post)
    return ThreadSpec("cuisine", LONG_THREAD_TITLE, tuple(posts))


@dataclass
class _Builder:
    now: datetime
    admin: User
    members: dict[str, User] = field(default_factory=dict)
    forums: dict[str, Category] = field(default_factory=dict)

    def create_members(self) -> None:
        self.members[ADMIN_USERNAME] = self.admin
        for spec in MEMBERS:
            self.members[spec.username] = create_member(
                username=spec.username,
                email=spec.email,
                signature=spec.signature,
                language=spec.language,
                timezone_name=spec.timezone,
                joined_at=self.now - spec.joined,
            )
        # Mentions in a signature resolve when it is saved: these wait for everyone.
        for username, signature in LATE_SIGNATURES.items():
            change_signature(self.members[username], signature)

    def create_forums(self, specs: tuple[ForumSpec, ...], parent: Category | None) -> None:
        for position, spec in enumerate(specs, start=1):
            forum = create_category(
                title=spec.title, parent=parent, description=spec.description, position=position
            )
            self.forums[spec.key] = forum
            self.create_forums(spec.children, forum)

    def create_thread(self, spec: ThreadSpec) -> None:
        opening = spec.posts[0]
        thread = create_thread(
            author=self.members[opening.author],
            category=self.forums[spec.forum],
            title=spec.title,
            created_at=self.now - opening.ago,
            is_pinned=spec.pinned,
            is_locked=spec.locked,
        )
        posts: list[Post] = []
        for item in spec.posts:
            quoted = posts[item.quote] if item.quote is not None else None
            post = create_post(
                author=self.members[item.author],
                thread=thread,
                source=_with_quote(quoted, item.excerpt, item.text),
                fmt=spec.fmt,
                created_at=self.now - item.ago,
                reply_to=posts[item.reply_to] if item.reply_to is not None else None,
            )
            if item.edit is not None:
                edit_post(
                    post=post,
                    editor=self.members[item.edit.editor],
                    source=_with_quote(
                        quoted, item.excerpt, item.text.replace(item.edit.old, item.edit.new)
                    ),
                    edited_at=post.created_at + item.edit.after,
                )
            posts.append(post)

    def create_announcements(self) -> None:
        create_announcement(
            title="Bienvenue sur la Djemaa — مرحبا بكم في الجماعة",
            body=(
                "La Djemaa est l'assemblée du village : ici, on discute en français, en arabe "
                "et en darija, avec respect. Lisez le règlement dans « Annonces et règlement » "
                "avant votre premier message, et présentez-vous !\n\n"
                "الجماعة مجلس القرية: هنا نتحاور بالعربية والفرنسية والدارجة، باحترام."
            ),
            author=self.admin,
            starts_at=self.now - FOUNDED,
        )
        create_announcement(
            title="Revue de presse : un lien et un résumé, sinon rien",
            body=(
                "Chaque article partagé doit avoir **son lien** et **un résumé avec vos "
                "mots**. Pas de copier-coller d'articles entiers : ils appartiennent à leurs "
                "journaux."
            ),
            category=self.forums["presse"],
            author=self.admin,
            starts_at=self.now - ago(500),
        )
        maintenance = self.now + ago(5)
        create_announcement(
            title="Maintenance du serveur",
            body=(
                "Le forum sera en lecture seule pendant deux heures environ pour une mise à "
                "jour du serveur. Merci de votre patience !"
            ),
            author=self.admin,
            starts_at=maintenance,
            ends_at=maintenance + ago(0, 3),
        )


def _with_quote(quoted: Post | None, excerpt: str, text: str) -> str:
    """The text under a vBulletin-style quote of `quoted`, which links back to it by id."""
    if quoted is None:
        return text
    return f"[quote={quoted.author.username};{quoted.pk}]{excerpt or quoted.source}[/quote]\n{text}"


class SiteState(enum.Enum):
    EMPTY = "empty"
    DEMO = "demo"
    OTHER = "other"  # a real site: the demo must not mix its content in


def site_state() -> SiteState:
    if Thread.objects.filter(title=LONG_THREAD_TITLE).exists():
        return SiteState.DEMO
    others = User.objects.exclude(pk__in=User.objects.named(ADMIN_USERNAME))
    if Category.objects.exists() or others.exists():
        return SiteState.OTHER
    return SiteState.EMPTY


def ensure_admin(password: str, *, joined_at: datetime | None = None) -> User:
    """The `admin` account with this password, created if missing."""
    admin = User.objects.named(ADMIN_USERNAME).first()
    if admin is None:
        return create_member(
            username=ADMIN_USERNAME, password=password, is_admin=True, joined_at=joined_at
        )
    # Never hand a printed password to an ordinary member who happens to be called admin.
    if not admin.is_superuser:
        raise ServiceError(
            _("The member %(name)s exists and is not an administrator.") % {"name": admin}
        )
    set_password(admin, password)
    return admin


@transaction.atomic
def build_demo(admin: User, now: datetime | None = None) -> int:
    """Write the demo content in one transaction (all or nothing); returns the thread count."""
    builder = _Builder(now=now or timezone.now(), admin=admin)
    builder.create_members()
    builder.create_forums(TREE, None)
    threads = (*THREADS, _long_thread(random.Random(SEED)))
    for spec in threads:
        builder.create_thread(spec)
    builder.create_announcements()
    return len(threads)
