"""The demo plan's content: a fictional coffee roaster's year, as compact literal rows.

*Brûlerie Ormelune* (an invented company: a coffee roaster in Anjou with sixteen staff, two town-centre shops, an
online shop, a coffee subscription and some forty business accounts). Every table is written once as literal rows,
French and English texts side by side (:class:`~mplan_xl.core.vocabulary.Label`), dates as (month, day)
(:class:`Day`) so that any plan year works. :mod:`mplan_xl.workbook.demo` renders them into a plan and a workbook.

Data only: no function of the product is computed here.

Example:
    >>> DEFAULT_COMPANY, len(ACTION_ROWS) == len({row[0] for row in ACTION_ROWS}), SITUATION
    ('Brûlerie Ormelune', True, Day(month=6, day=30))
"""

from __future__ import annotations

from typing import NamedTuple

from ..core.vocabulary import Label

L = Label

DEFAULT_COMPANY = "Brûlerie Ormelune"
AUTHOR = "Camille Ferrand"
CURRENCY = "EUR"
#: Marketing budget allowed for the year; the planned lines add up to a little less.
ENVELOPE = 140_000

# The team (names are the same in both languages).
CEO, MARKETING, DIGITAL, SALES = "Marc Delorme", "Camille Ferrand", "Inès Barbier", "Julien Morel"
SHOPS, CUSTOMERS, COMMUNITY = "Théo Lambert", "Sophie Garnier", "Léa Chevalier"
WEB_AGENCY = "Pixelmarée (Hugo Renard)"


class Day(NamedTuple):
    """A day of the plan year, turned into a date once the year is known."""

    month: int
    day: int


def _d(month: int, day: int) -> Day:
    return Day(month, day)


# --- Audit: SWOT and PESTEL ---------------------------------------------------------------

SWOT_COLUMNS = ("quadrant", "weight", "item")
SWOT_ROWS = (
    ("strength", 5, L("Torréfaction artisanale en petits lots : café vendu moins de 10 jours après torréfaction",
                      "Small-batch roasting: coffee sold less than 10 days after roasting")),
    ("strength", 4, L("Deux boutiques en centre-ville avec dégustation et conseil",
                      "Two town-centre shops offering tastings and advice")),
    ("strength", 4, L("640 abonnés fidèles au café livré chaque mois",
                      "640 loyal subscribers to the monthly coffee delivery")),
    ("weakness", 4, L("Marque peu connue en dehors de l'agglomération d'Angers",
                      "Brand little known outside the Angers area")),
    ("weakness", 5, L("Boutique en ligne vieillissante, lente sur mobile, trois paniers sur quatre abandonnés",
                      "Ageing online shop, slow on mobile, three carts in four abandoned")),
    ("weakness", 3, L("Équipe marketing de deux personnes, dépendante de ses prestataires",
                      "Two-person marketing team relying on outside suppliers")),
    ("opportunity", 5, L("Demande en hausse pour le café de spécialité et les origines traçables",
                         "Rising demand for speciality coffee and traceable origins")),
    ("opportunity", 4, L("Retour au bureau : les entreprises veulent offrir un bon café à leurs équipes",
                         "Back to the office: companies want to offer good coffee to their staff")),
    ("opportunity", 2, L("Tourisme gourmand en Val de Loire l'été",
                         "Food tourism in the Loire Valley in summer")),
    ("threat", 5, L("Prix du café vert durablement élevés sur les marchés mondiaux",
                    "Green coffee prices staying high on world markets")),
    ("threat", 4, L("Marques nationales et capsules vendues à bas prix en grande surface",
                    "National brands and pods sold cheaply in supermarkets")),
    ("threat", 3, L("Un torréfacteur concurrent installé à Tours, très actif en ligne",
                    "A competing roaster set up in Tours, very active online")),
)

PESTEL_COLUMNS = ("factor", "impact", "item")
PESTEL_ROWS = (
    ("political", 3, L("Instabilité et tensions commerciales dans plusieurs pays producteurs",
                       "Instability and trade tensions in several producing countries")),
    ("economic", 4, L("Inflation alimentaire : les ménages arbitrent leurs achats plaisir",
                      "Food inflation: households cut back on treats")),
    ("economic", 3, L("Hausse des frais de transport et d'emballage",
                      "Higher shipping and packaging costs")),
    ("social", 4, L("Les clients veulent savoir d'où vient leur café et qui le cultive",
                    "Customers want to know where their coffee comes from and who grows it")),
    ("technological", 3, L("Paiement mobile et retrait en boutique désormais attendus",
                           "Mobile payment and click & collect now expected")),
    ("ecological", 4, L("Traçabilité exigée sur l'origine du café pour lutter contre la déforestation",
                        "Traceability of coffee origins required to fight deforestation")),
    ("legal", 4, L("Consentement obligatoire aux cookies et à la prospection par e-mail",
                   "Mandatory consent for cookies and e-mail marketing")),
    ("legal", 3, L("Réduction des emballages à usage unique, vente en vrac encouragée",
                   "Fewer single-use packs, bulk selling encouraged")),
)

# --- Audit: diagnostic findings, keyed by (topic code, English aspect of schema.DIAGNOSTIC_ASPECTS) ---

_OWN = L("Données internes", "Internal data")
_SURVEY = L("Enquête clients (312 réponses)", "Customer survey (312 answers)")
_WATCH = L("Veille concurrentielle", "Competitor watch")
_TRADE = L("Syndicat professionnel", "Trade association")

DIAGNOSTIC_FINDINGS: dict[tuple[str, str], tuple[Label, Label | None]] = {
    ("market", "Size"): (
        L("Environ 46 000 foyers de l'Anjou achètent du café en grains ou moulu, soit près de 9 M€ par an",
          "About 46,000 households in Anjou buy beans or ground coffee, close to €9M a year"), _TRADE),
    ("market", "Growth"): (
        L("Le café de spécialité gagne environ 8 % par an quand le café courant stagne",
          "Speciality coffee grows about 8% a year while everyday coffee is flat"), _TRADE),
    ("market", "Maturity"): (
        L("Marché du café mature, segment de spécialité encore jeune et en croissance",
          "Mature coffee market, with a speciality segment still young and growing"), None),
    ("market", "Outlook"): (
        L("Marges sous pression à cause du prix d'achat ; demande soutenue des bureaux et des abonnements",
          "Margins squeezed by purchase prices; steady demand from offices and subscriptions"), _TRADE),
    ("competition", "Main competitors"): (
        L("Deux torréfacteurs indépendants dans la région, les marques nationales et les capsules",
          "Two independent roasters in the region, national brands and pods"), _WATCH),
    ("competition", "Their offer"): (
        L("Gammes larges mais peu d'informations sur les producteurs ; un seul propose un abonnement",
          "Wide ranges but little about the growers; only one offers a subscription"), _WATCH),
    ("competition", "Their positioning"): (
        L("Le concurrent de Tours mise sur le prix et la livraison rapide, la grande surface sur la praticité",
          "The Tours competitor bets on price and fast delivery, supermarkets on convenience"), _WATCH),
    ("competition", "What sets us apart"): (
        L("Torréfaction à la commande, lien direct avec six coopératives, conseil en boutique",
          "Roasting to order, direct ties with six cooperatives, advice in the shops"), None),
    ("offer", "Features"): (
        L("32 cafés, thés et accessoires ; grains ou mouture à la demande ; abonnement mensuel ; offre pro avec machine prêtée",
          "32 coffees, teas and accessories; beans or ground to order; monthly subscription; business offer with a loaned machine"),
        _OWN),
    ("offer", "Strengths"): (
        L("Fraîcheur et traçabilité, note moyenne de 4,8 sur 5 dans les avis clients",
          "Freshness and traceability, average rating of 4.8 out of 5 in customer reviews"),
        L("Avis clients en ligne", "Online customer reviews")),
    ("offer", "Weaknesses"): (
        L("Prix au kilo 30 % au-dessus de la moyenne, peu de petits formats pour découvrir",
          "Price per kilo 30% above average, few small packs to try"), _WATCH),
    ("audience", "Profile"): (
        L("Actifs urbains de 28 à 55 ans aux revenus plutôt élevés, petites entreprises de 10 à 80 salariés",
          "Urban working people aged 28 to 55 with fairly high incomes, small firms of 10 to 80 staff"), _SURVEY),
    ("audience", "Expectations"): (
        L("Un bon café expliqué simplement, une origine claire, un emballage responsable",
          "Good coffee explained simply, a clear origin, responsible packaging"), _SURVEY),
    ("audience", "Needs"): (
        L("Être livré sans y penser, des conseils de préparation, de petits formats pour goûter",
          "Delivery without a second thought, brewing tips, small packs to taste"), _SURVEY),
    ("audience", "Habits"): (
        L("Achats en boutique le samedi, commandes en ligne le dimanche soir, surtout sur mobile",
          "Shop visits on Saturdays, online orders on Sunday evenings, mostly on mobile"),
        L("Statistiques du site et des caisses", "Site and till statistics")),
    ("price", "Pricing policy"): (
        L("Prix premium assumé ; remises réservées aux abonnés et aux professionnels, pas de soldes",
          "Deliberately premium prices; discounts only for subscribers and businesses, no sales"), _OWN),
    ("promotion", "Means available"): (
        L("Deux personnes au marketing, un photographe indépendant, 7 400 contacts e-mail, comptes Instagram et Facebook",
          "Two marketing staff, a freelance photographer, 7,400 e-mail contacts, Instagram and Facebook accounts"), _OWN),
    ("distribution", "Channels used or possible"): (
        L("Deux boutiques, site marchand, abonnement, 42 comptes pros ; à ouvrir : épiceries fines et marchés d'été",
          "Two shops, online shop, subscription, 42 business accounts; to open: delis and summer markets"), _OWN),
    ("mix_product", "Product (4P/7P, optional)"): (
        L("Plus de formats découverte de 250 g et de coffrets", "More 250 g discovery packs and gift boxes"), None),
    ("mix_price", "Price (4P/7P, optional)"): (
        L("Rester premium, avec un prix d'appel sur le premier mois d'abonnement",
          "Stay premium, with an entry price on the first subscription month"), None),
    ("mix_place", "Place (4P/7P, optional)"): (
        L("Être présent dans les épiceries fines et les bureaux", "Be present in delis and offices"), None),
    ("mix_promotion", "Promotion (4P/7P, optional)"): (
        L("Plus de vidéo et de relations presse, moins d'imprimés distribués au hasard",
          "More video and press relations, fewer untargeted printed leaflets"), None),
    ("mix_people", "People (7P, optional)"): (
        L("Vendeurs formés au conseil, un interlocuteur unique par client pro",
          "Staff trained to advise, one contact person per business customer"), None),
    ("mix_process", "Process (7P, optional)"): (
        L("Commande en une page, retrait en boutique sous deux heures",
          "One-page checkout, click & collect within two hours"), None),
    ("mix_physical", "Physical evidence (7P, optional)"): (
        L("Atelier de torréfaction visible depuis la boutique, sachets kraft recyclables",
          "Roastery visible from the shop, recyclable kraft bags"), None),
    ("c_company", "Company (5C, optional)"): (
        L("PME rentable de 16 salariés, torréfacteur utilisé à 60 % de sa capacité",
          "Profitable 16-person firm, roaster running at 60% of capacity"), _OWN),
    ("c_customers", "Customers (5C, optional)"): (
        L("11 500 clients actifs, dont 640 abonnés et 42 professionnels",
          "11,500 active customers, including 640 subscribers and 42 businesses"), _OWN),
    ("c_competitors", "Competitors (5C, optional)"): (
        L("Peu de concurrence locale, vente en ligne nationale très disputée",
          "Little local competition, fierce national competition online"), _WATCH),
    ("c_collaborators", "Collaborators (5C, optional)"): (
        L("Six coopératives partenaires, un transporteur régional, une agence web",
          "Six partner cooperatives, a regional carrier, a web agency"), None),
    ("c_context", "Context (5C, optional)"): (
        L("Inflation et café vert cher, mais goût marqué pour le local et le traçable",
          "Inflation and costly green coffee, but a clear taste for local, traceable products"), None),
}

# --- Bilan N-1: last year's actions --------------------------------------------------------

REVIEW_COLUMNS = ("id", "action", "objective", "channel", "budget", "spend", "gain", "target", "result", "unit",
                  "verdict", "lessons", "corrective")
REVIEW_ROWS = (
    ("B01", L("Liens sponsorisés sur le moteur de recherche", "Sponsored search links"),
     L("Ventes en ligne", "Online sales"), "search_ads", 9000, 8800, 38000, 900, 1020, L("commandes", "orders"), "keep",
     L("Rentable sur les mots-clés de marque et d'origine, beaucoup moins sur les termes génériques",
       "Profitable on brand and origin keywords, much less on generic terms"),
     L("Couper les mots-clés génériques, créer des pages d'atterrissage par origine",
       "Drop generic keywords, build one landing page per origin")),
    ("B02", L("Stand au salon régional des métiers de bouche", "Stand at the regional food trade fair"),
     L("Nouveaux clients", "New customers"), "events", 6500, 6400, 14000, 150, 96, L("contacts", "leads"), "improve",
     L("Beaucoup de passage mais peu de coordonnées recueillies", "Plenty of visitors but few contact details collected"),
     L("Jeu-concours avec inscription sur tablette, équipe du stand briefée",
       "Prize draw with sign-up on a tablet, stand team briefed")),
    ("B03", L("Encart dans le magazine gratuit de la ville", "Advert in the free town magazine"),
     L("Fréquentation des boutiques", "Shop footfall"), "press", 3200, 3200, 1500, 200, 31, L("coupons", "coupons"),
     "abandon",
     L("Très peu de coupons rapportés, lectorat peu amateur de café de spécialité",
       "Very few coupons brought back, readers show little interest in speciality coffee"),
     L("Reporter le budget sur la presse gourmande régionale", "Move the budget to the regional food press")),
    ("B04", L("Distribution de prospectus en boîtes aux lettres", "Door-to-door leaflet drop"),
     L("Fréquentation des boutiques", "Shop footfall"), "direct_mail", 4800, 4650, 2100, 300, 58,
     L("visites", "visits"), "abandon",
     L("Chaque visite obtenue a coûté dix fois plus cher que par les réseaux sociaux",
       "Each visit gained cost ten times more than through social networks"),
     L("Arrêter ; toucher les quartiers par de la publicité locale ciblée sur les réseaux sociaux",
       "Stop; reach neighbourhoods with targeted local social media ads")),
    ("B05", L("Lettre d'information mensuelle", "Monthly newsletter"),
     L("Fidélisation", "Retention"), "emailing", 1800, 1750, 22000, 0.03, 0.034, L("% de clics", "% click rate"), "keep",
     L("Meilleur rapport coût-résultat du plan, surtout avec les portraits de producteurs",
       "Best cost-to-result ratio of the plan, especially the grower portraits"),
     L("Garder le rythme mensuel, segmenter abonnés et non-abonnés",
       "Keep the monthly rhythm, split subscribers and non-subscribers")),
    ("B06", L("Animation Instagram avec un photographe", "Instagram content with a photographer"),
     L("Notoriété", "Awareness"), "social", 7200, 6900, 9000, 8000, 6200, L("abonnés", "followers"), "improve",
     L("Belles images mais publications irrégulières et presque pas de vidéo",
       "Beautiful pictures but irregular posting and hardly any video"),
     L("Calendrier éditorial et une vidéo courte par semaine", "Editorial calendar and one short video a week")),
    ("B07", L("Carte de fidélité à tampons", "Paper stamp loyalty card"),
     L("Fidélisation", "Retention"), "in_store", 2500, 2300, 12500, 0.55, 0.58, L("% de clients fidèles", "% retained"),
     "improve",
     L("Carte souvent oubliée à la maison, aucune donnée client recueillie",
       "Card often left at home, no customer data collected"),
     L("Passer à une carte dématérialisée liée au compte client", "Move to a digital card linked to the customer account")),
    ("B08", L("Spot sur une radio locale pendant les fêtes", "Local radio spot over the holidays"),
     L("Fréquentation des boutiques", "Shop footfall"), "tv_radio", 5600, 5600, 4200, 0.08, 0.02,
     L("% de fréquentation en plus", "% more footfall"), "abandon",
     L("Aucun effet mesurable sur la fréquentation des boutiques", "No measurable effect on shop footfall"),
     L("Ne pas reconduire ; tester plutôt un média local en ligne", "Do not repeat; try a local online medium instead")),
    ("B09", L("Dégustations dans les épiceries fines partenaires", "Tastings in partner delis"),
     L("Nouveaux points de vente", "New outlets"), "partnerships", 3000, 2800, 16000, 10, 11,
     L("points de vente", "outlets"), "keep",
     L("Les épiceries commandent à nouveau après chaque dégustation", "Delis reorder after every tasting"),
     L("Passer de 12 à 20 dégustations dans l'année", "Go from 12 to 20 tastings in the year")),
    ("B10", L("Relations presse pour le lancement du décaféiné", "Press relations for the decaf launch"),
     L("Notoriété", "Awareness"), "press_relations", 2400, 2400, 6000, 6, 5, L("articles", "articles"), "improve",
     L("Bon accueil des journalistes mais contacts pris trop tard", "Journalists were keen but were contacted too late"),
     L("Confier les relations presse à une attachée de presse sur l'année",
       "Hand press relations to a press officer for the whole year")),
)

# --- Objectives ---------------------------------------------------------------------------

OBJECTIVE_COLUMNS = ("id", "family", "parent_id", "statement", "indicator", "baseline", "target", "unit",
                     "deadline", "owner")
OBJECTIVE_ROWS = (
    ("O1", "activity", None,
     L("Porter le chiffre d'affaires de 1,85 M€ à 2,07 M€ (+12 %) d'ici le 31 décembre",
       "Grow revenue from €1.85M to €2.07M (+12%) by 31 December"),
     L("Chiffre d'affaires annuel", "Annual revenue"), 1_850_000, 2_072_000, "€", _d(12, 31), CEO),
    ("O1.1", "activity", "O1",
     L("Augmenter de 25 % les ventes de la boutique en ligne d'ici le 31 décembre",
       "Grow online shop sales by 25% by 31 December"),
     L("Chiffre d'affaires en ligne", "Online revenue"), 380_000, 475_000, "€", _d(12, 31), DIGITAL),
    ("O1.2", "activity", "O1",
     L("Signer 15 nouveaux comptes professionnels (cafés, restaurants, bureaux) d'ici le 30 septembre",
       "Sign 15 new business accounts (cafés, restaurants, offices) by 30 September"),
     L("Comptes professionnels actifs", "Active business accounts"), 42, 57, L("comptes", "accounts"), _d(9, 30),
     SALES),
    ("O2", "communication", None,
     L("Faire passer la notoriété assistée de la marque dans l'Anjou de 18 % à 25 % d'ici le 30 novembre",
       "Raise aided brand awareness in Anjou from 18% to 25% by 30 November"),
     L("Notoriété assistée (sondage)", "Aided awareness (survey)"), 0.18, 0.25, "%", _d(11, 30), MARKETING),
    ("O2.1", "communication", "O2",
     L("Atteindre 9 000 abonnés sur Instagram (6 200 aujourd'hui) d'ici le 30 juin",
       "Reach 9,000 Instagram followers (6,200 today) by 30 June"),
     L("Abonnés Instagram", "Instagram followers"), 6200, 9000, L("abonnés", "followers"), _d(6, 30), COMMUNITY),
    ("O3", "communication", None,
     L("Obtenir 12 articles ou reportages dans les médias régionaux d'ici le 31 octobre",
       "Secure 12 articles or reports in regional media by 31 October"),
     L("Retombées presse", "Media coverage"), 5, 12, L("articles", "articles"), _d(10, 31), MARKETING),
    ("O4", "customer", None,
     L("Faire passer le panier moyen en boutique de 24,50 € à 27 € d'ici le 31 décembre",
       "Raise the average shop basket from €24.50 to €27 by 31 December"),
     L("Panier moyen en boutique", "Average shop basket"), 24.5, 27, "€", _d(12, 31), SHOPS),
    ("O5", "customer", None,
     L("Porter le nombre d'abonnés au café de 640 à 900 d'ici le 31 décembre",
       "Grow coffee subscribers from 640 to 900 by 31 December"),
     L("Abonnements actifs", "Active subscriptions"), 640, 900, L("abonnés", "subscribers"), _d(12, 31), DIGITAL),
    ("O6", "customer", None,
     L("Faire passer le taux de fidélisation des clients de 58 % à 65 % d'ici le 31 décembre",
       "Raise customer retention from 58% to 65% by 31 December"),
     L("Taux de fidélisation", "Retention rate"), 0.58, 0.65, "%", _d(12, 31), CUSTOMERS),
    ("O7", "customer", None,
     L("Ramener le coût d'acquisition d'un client en ligne de 32 € à 26 € d'ici le 30 septembre",
       "Cut the cost of acquiring an online customer from €32 to €26 by 30 September"),
     L("Coût d'acquisition client", "Customer acquisition cost"), 32, 26, "€", _d(9, 30), DIGITAL),
)

# --- Actions ------------------------------------------------------------------------------

ACTION_COLUMNS = ("id", "objective_id", "title", "how", "channel", "owner", "department", "start", "end",
                  "milestones", "status", "expected_gain")
ACTION_ROWS = (
    ("A01", "O1.1", L("Refonte du parcours d'achat de la boutique en ligne", "Online shop checkout redesign"),
     L("Panier sur une seule page, paiement mobile, pages deux fois plus rapides",
       "Single-page cart, mobile payment, pages twice as fast"),
     "website", DIGITAL, "digital", _d(1, 12), _d(4, 30),
     L("Audit fin janvier ; maquettes validées mi-mars ; mise en ligne fin avril",
       "Audit end of January; mock-ups signed off mid-March; live end of April"), "done", 45000),
    ("A02", "O1.1", L("Liens sponsorisés sur les origines et l'abonnement", "Search ads on origins and the subscription"),
     L("Mots-clés de marque et d'origine seulement, enchères revues chaque mois, une page d'atterrissage par origine",
       "Brand and origin keywords only, bids reviewed monthly, one landing page per origin"),
     "search_ads", DIGITAL, "digital", _d(2, 2), _d(12, 15),
     L("Nouvelle structure de campagnes en février ; bilan trimestriel ; pic de novembre pour les fêtes",
       "New campaign structure in February; quarterly review; November peak for the holidays"),
     "in_progress", 52000),
    ("A03", "O1.1", L("Référencement naturel des fiches produits", "Search engine optimisation of product pages"),
     L("L'agence réécrit 40 fiches d'origine et les relie depuis le blog",
       "The agency rewrites 40 origin pages and links them from the blog"),
     "seo", WEB_AGENCY, "agency", _d(3, 2), _d(10, 30),
     L("20 fiches fin mai ; 40 fiches fin septembre ; mesure des positions en octobre",
       "20 pages by end of May; 40 by end of September; ranking check in October"), "in_progress", 18000),
    ("A04", "O1.2", L("Prospection des cafés, restaurants et bureaux", "Prospecting cafés, restaurants and offices"),
     L("Coffret d'échantillons envoyé, puis visite avec dégustation et offre d'essai d'un mois",
       "Sample box sent, then a visit with a tasting and a one-month trial offer"),
     "direct_mail", SALES, "sales", _d(1, 12), _d(9, 30),
     L("Liste de 200 cibles en janvier ; 80 visites fin juin ; 15 contrats fin septembre",
       "List of 200 targets in January; 80 visits by end of June; 15 contracts by end of September"),
     "in_progress", 60000),
    ("A05", "O1.2", L("Stand au salon régional des métiers de bouche", "Stand at the regional food trade fair"),
     L("Stand de 9 m² avec bar de dégustation, inscriptions prises sur tablette",
       "9 m² stand with a tasting bar, sign-ups taken on a tablet"),
     "events", CEO, "management", _d(3, 2), _d(3, 31),
     L("Inscription en janvier ; stand monté le 15 mars ; relance des contacts sous huit jours",
       "Booking in January; stand set up on 15 March; leads followed up within a week"), "done", 25000),
    ("A06", "O2", L("Affichage dans les gares et abribus de l'Anjou", "Posters in Anjou stations and bus shelters"),
     L("Deux semaines d'affichage sur le thème de la fraîcheur, sondage de notoriété avant et après",
       "Two weeks of posters on the theme of freshness, awareness survey before and after"),
     "posters", MARKETING, "marketing", _d(9, 1), _d(9, 30),
     L("Création validée en juillet ; pose le 7 septembre ; second sondage en novembre",
       "Design approved in July; posters up on 7 September; second survey in November"), "planned", 15000),
    ("A07", "O2", L("Bar à café éphémère sur les marchés d'été", "Pop-up coffee bar at summer markets"),
     L("Triporteur aux couleurs de la marque sur six marchés, cartes de réduction distribuées",
       "Branded tricycle at six markets, discount cards handed out"),
     "events", SHOPS, "sales", _d(6, 1), _d(8, 31),
     L("Emplacements réservés en avril ; premier marché le 6 juin ; bilan début septembre",
       "Pitches booked in April; first market on 6 June; review early September"), "in_progress", 12000),
    ("A08", "O2.1", L("Calendrier Instagram avec vidéos courtes", "Instagram calendar with short videos"),
     L("Quatre publications et une vidéo courte par semaine, planifiées un mois à l'avance",
       "Four posts and one short video a week, scheduled a month ahead"),
     "social", COMMUNITY, "communication", _d(1, 5), _d(12, 18),
     L("Charte éditoriale en janvier ; tournage deux fois par mois ; bilan à fin juin",
       "Editorial guidelines in January; shoots twice a month; review at end of June"), "in_progress", 18000),
    ("A09", "O2.1", L("Partenariats avec des créateurs culinaires locaux", "Partnerships with local food creators"),
     L("Quatre créateurs reçus à l'atelier, chacun publie une recette au café",
       "Four creators hosted at the roastery, each posts a coffee recipe"),
     "social", COMMUNITY, "communication", _d(9, 1), _d(11, 27),
     L("Reporté à l'automne faute de disponibilité ; sélection en août ; publications en octobre",
       "Moved to the autumn for lack of availability; selection in August; posts in October"), "postponed", 9000),
    ("A10", "O3", L("Dossier de presse et tournée des rédactions", "Press kit and newsroom tour"),
     L("Une attachée de presse présente nos producteurs aux journaux, radios et sites régionaux",
       "A press officer introduces our growers to regional papers, radio and websites"),
     "press_relations", MARKETING, "communication", _d(2, 2), _d(10, 30),
     L("Dossier prêt fin février ; 20 rédactions rencontrées fin mai ; point mensuel des retombées",
       "Kit ready end of February; 20 newsrooms met by end of May; monthly coverage review"), "in_progress", 8000),
    ("A11", "O3", L("Portes ouvertes de l'atelier de torréfaction", "Roastery open days"),
     L("Deux journées ouvertes, matinée réservée à la presse, ateliers de dégustation l'après-midi",
       "Two open days, mornings for the press, tasting workshops in the afternoon"),
     "events", MARKETING, "marketing", _d(10, 2), _d(10, 3),
     L("Invitations envoyées en septembre ; visite presse le 2 octobre ; public le 3",
       "Invitations sent in September; press visit on 2 October; public on the 3rd"), "planned", 10000),
    ("A12", "O3", L("Double page dans le magazine gourmand régional", "Double page in the regional food magazine"),
     L("Publi-reportage sur une coopérative partenaire, avec offre réservée aux lecteurs",
       "Sponsored feature on a partner cooperative, with an offer for readers"),
     "press", MARKETING, "marketing", _d(4, 1), _d(5, 29),
     L("Texte et photos en avril ; parution mi-mai ; comptage des codes lecteurs fin mai",
       "Copy and photos in April; published mid-May; reader codes counted end of May"), "done", 6000),
    ("A13", "O4", L("Formation des vendeurs au conseil", "Training shop staff to advise customers"),
     L("Deux jours de formation à la vente conseil et aux ventes complémentaires",
       "Two days of training in advisory selling and add-on sales"),
     "in_store", SHOPS, "sales", _d(2, 2), _d(3, 27),
     L("Session 1 en février ; session 2 en mars ; suivi du panier moyen chaque mois",
       "Session 1 in February; session 2 in March; average basket tracked monthly"), "done", 20000),
    ("A14", "O4", L("Coffrets cadeaux mis en avant en caisse", "Gift boxes displayed at the till"),
     L("Trois coffrets de fin d'année présentés près des caisses des deux boutiques",
       "Three year-end gift boxes displayed by the tills of both shops"),
     "in_store", SHOPS, "product", _d(10, 15), _d(12, 24),
     L("Choix des coffrets en juin ; livraison début octobre ; mise en place mi-octobre",
       "Boxes chosen in June; delivered early October; displays up mid-October"), "planned", 30000),
    ("A15", "O5", L("Offre de bienvenue sur l'abonnement", "Welcome offer on the subscription"),
     L("Premier mois à moitié prix, proposé par e-mail aux acheteurs en ligne non abonnés",
       "First month half price, offered by e-mail to online buyers who do not subscribe"),
     "emailing", DIGITAL, "digital", _d(3, 2), _d(11, 30),
     L("Scénario rédigé en février ; lancement en mars ; test de deux objets d'e-mail en mai",
       "Flow written in February; launch in March; two subject lines tested in May"), "in_progress", 35000),
    ("A16", "O5", L("Parrainage : un mois offert aux deux clients", "Refer a friend: a free month for both"),
     L("Lien de parrainage dans l'espace client et par SMS, mois offert au parrain et au filleul",
       "Referral link in the customer account and by text message, a free month for both"),
     "mobile", CUSTOMERS, "customer_service", _d(5, 4), _d(12, 15),
     L("Module en ligne début mai ; SMS aux abonnés en juin ; bilan en septembre",
       "Module live early May; text to subscribers in June; review in September"), "in_progress", 20000),
    ("A17", "O6", L("Carte de fidélité dématérialisée", "Digital loyalty card"),
     L("Carte dans le téléphone, reliée au compte client et à la caisse des boutiques",
       "Card kept on the phone, linked to the customer account and the shop tills"),
     "mobile", CUSTOMERS, "customer_service", _d(1, 19), _d(5, 15),
     L("Choix de l'outil en janvier ; branchement des caisses en mars ; lancement mi-mai",
       "Tool chosen in January; tills connected in March; launch mid-May"), "done", 25000),
    ("A18", "O6", L("Lettre d'information mensuelle avec portraits de producteurs",
                    "Monthly newsletter with grower portraits"),
     L("Un portrait de producteur, une recette et une nouveauté, en version abonnés et non-abonnés",
       "One grower portrait, one recipe and one new product, in subscriber and non-subscriber versions"),
     "emailing", COMMUNITY, "communication", _d(1, 5), _d(12, 18),
     L("Envoi le premier mardi du mois ; bilan des clics chaque trimestre",
       "Sent on the first Tuesday of the month; click review each quarter"), "in_progress", 22000),
    ("A19", "O7", L("Relance automatique des paniers abandonnés", "Automatic abandoned-cart reminders"),
     L("Deux e-mails de relance à une heure puis à un jour, livraison offerte dans le second",
       "Two reminder e-mails after one hour and one day, free delivery in the second"),
     "emailing", DIGITAL, "digital", _d(5, 4), _d(6, 26),
     L("Textes en mai ; mise en service le 1er juin ; premier bilan fin juin",
       "Copy in May; switched on 1 June; first review end of June"), "done", 18000),
    ("A20", "O1", L("Dégustations dans les épiceries fines partenaires", "Tastings in partner delis"),
     L("Vingt samedis de dégustation animés par nos vendeurs chez les revendeurs",
       "Twenty tasting Saturdays run by our staff at our retailers"),
     "partnerships", SALES, "sales", _d(3, 2), _d(11, 28),
     L("Calendrier fixé en février ; 10 dégustations fin juin ; 20 fin novembre",
       "Schedule set in February; 10 tastings by end of June; 20 by end of November"), "in_progress", 16000),
    ("A21", "O7", L("Publicité locale ciblée sur les réseaux sociaux", "Targeted local social media ads"),
     L("Annonces vidéo diffusées à moins de 20 km des boutiques, avec une offre de première commande",
       "Video ads shown within 20 km of the shops, with a first-order offer"),
     "social", COMMUNITY, "digital", _d(4, 1), _d(12, 15),
     L("Tests de trois visuels en avril ; budget sur le meilleur dès mai ; bilan trimestriel",
       "Three visuals tested in April; budget on the best from May; quarterly review"), "in_progress", 14000),
    ("A22", "O5", L("Flyer de parrainage glissé dans chaque colis", "Referral flyer in every parcel"),
     L("Un flyer avec code de parrainage ajouté à chaque commande expédiée",
       "A flyer with a referral code added to every order shipped"),
     "direct_mail", CUSTOMERS, "customer_service", _d(5, 4), _d(12, 15),
     L("Impression en avril ; glissé dans les colis dès mai ; suivi des codes chaque mois",
       "Printed in April; in parcels from May; codes tracked monthly"), "in_progress", 6000),
)

# --- Budget -----------------------------------------------------------------------------------

IN_HOUSE = L("Interne", "In-house")
_MARKETS = L("Régie des marchés", "Market authority")
_PRINTER, _STUDIO, _ADS, _MAILER = "Imprimerie Vallorin", "Studio Grain d'Image", "Clicorama", "Mailorium"

BUDGET_COLUMNS = ("id", "action_id", "item", "description", "supplier", "quote_ref", "quote_amount", "last_year",
                  "planned", "committed", "actual")
BUDGET_ROWS = (
    ("L001", "A01", "creative", L("Conception et développement du nouveau tunnel d'achat", "Design and build of the new checkout"),
     "Pixelmarée", "PXM-2281", 14800, None, 14800, 14800, 14800),
    ("L002", "A01", "tools", L("Module de paiement mobile, licence annuelle", "Mobile payment module, yearly licence"),
     "Payvéo", "PAY-118", 1900, None, 1900, 1900, 1750),
    ("L003", "A01", "studies", L("Tests utilisateurs avant la mise en ligne", "User testing before going live"),
     "Pixelmarée", "PXM-2282", 1200, None, 1200, 1200, 1080),
    ("L004", "A02", "digital_ads", L("Achat de mots-clés de février à décembre", "Keyword bids from February to December"),
     _ADS, "CLK-552", 9600, 7600, 9600, 9600, 4300),
    ("L005", "A02", "creative", L("Gestion des campagnes et pages d'atterrissage", "Campaign management and landing pages"),
     _ADS, "CLK-553", 2400, 1200, 2400, 2400, 1100),
    ("L006", "A03", "content", L("Réécriture de 40 fiches d'origine", "Rewriting 40 origin pages"),
     "Pixelmarée", "PXM-2290", 4000, None, 4000, 4000, 1800),
    ("L007", "A03", "tools", L("Outil de suivi des positions, abonnement annuel", "Rank tracking tool, yearly subscription"),
     "Rankolia", "RK-77", 600, None, 600, 600, 600),
    ("L008", "A04", "printing", L("200 coffrets d'échantillons pour les prospects", "200 sample boxes for prospects"),
     "Cartonnages Brière", "CB-3301", 2600, None, 2600, 2600, 2450),
    ("L009", "A04", "promotions", L("Remise sur la première commande des nouveaux comptes", "Discount on new accounts' first order"),
     IN_HOUSE, None, None, None, 3000, 1500, 1400),
    ("L010", "A04", "tools", L("Logiciel de suivi des prospects, abonnement", "Prospect tracking software, subscription"),
     "Suivio", "SV-902", 1400, None, 1400, 1400, 700),
    ("L011", "A05", "events", L("Location d'un stand de 9 m²", "Rental of a 9 m² stand"),
     "Association Saveurs de Loire", "SDL-4410", 3800, 4100, 3800, 3800, 3800),
    ("L012", "A05", "printing", L("Kakémonos et plaquettes pour les professionnels", "Roll-up banners and trade brochures"),
     _PRINTER, "IV-7719", 1350, 1500, 1350, 1350, 1290),
    ("L013", "A05", "staff", L("Renfort sur le stand et frais de déplacement", "Extra stand staff and travel costs"),
     IN_HOUSE, None, None, 800, 900, 900, 860),
    ("L014", "A06", "media", L("Faces d'affichage en gares et abribus, deux semaines", "Station and bus shelter sites, two weeks"),
     "Afficharme", "AFF-2093", 7400, None, 7400, 7400, None),
    ("L015", "A06", "creative", L("Création de la campagne d'affichage", "Poster campaign design"),
     _STUDIO, "GI-311", 2200, None, 2200, None, None),
    ("L016", "A06", "printing", L("Impression des affiches", "Poster printing"),
     _PRINTER, "IV-7790", 1650, None, 1650, None, None),
    ("L017", "A06", "studies", L("Sondage de notoriété en deux vagues", "Two-wave awareness survey"),
     "Institut Quantil", "QT-9021", 4200, None, 4200, 4200, None),
    ("L018", "A07", "events", L("Emplacements sur six marchés d'été", "Pitches at six summer markets"),
     _MARKETS, None, None, None, 1200, 1200, 400),
    ("L019", "A07", "tools", L("Location d'un triporteur café équipé pour la saison", "Season rental of an equipped coffee tricycle"),
     "Vélocafé Services", "VCS-58", 2800, None, 2800, 2800, 1400),
    ("L020", "A08", "content", L("Tournage de deux vidéos courtes par mois", "Two short video shoots a month"),
     _STUDIO, "GI-305", 6000, 6400, 6000, 6000, 3000),
    ("L021", "A08", "tools", L("Outil de planification des publications", "Post scheduling tool"),
     "Postaloo", "PST-19", 480, 500, 480, 480, 480),
    ("L022", "A09", "content", L("Rémunération de quatre créateurs culinaires", "Fees for four food creators"),
     "Collectif Tablée", "CT-12", 4000, None, 4000, None, None),
    ("L023", "A09", "promotions", L("Cafés et accessoires offerts aux créateurs", "Coffee and accessories given to creators"),
     IN_HOUSE, None, None, None, 600, None, None),
    ("L024", "A10", "staff", L("Attachée de presse indépendante, huit mois", "Freelance press officer, eight months"),
     "Clairvoix RP", "CV-204", 4800, 2400, 4800, 4800, 2400),
    ("L025", "A10", "printing", L("Dossiers de presse et échantillons pour les rédactions", "Press kits and samples for newsrooms"),
     _PRINTER, "IV-7745", 700, None, 700, 700, 650),
    ("L026", "A11", "events", L("Accueil, animation et dégustations", "Hosting, activities and tastings"),
     IN_HOUSE, None, None, None, 2000, None, None),
    ("L027", "A11", "printing", L("Impression des invitations", "Printing the invitations"),
     _PRINTER, "IV-7802", 1250, None, 1250, None, None),
    ("L028", "A12", "media", L("Double page dans « Papilles de Loire »", "Double page in 'Papilles de Loire'"),
     "Éditions Papilles de Loire", "PDL-88", 3900, None, 3900, 3900, 3900),
    ("L029", "A12", "creative", L("Rédaction et photos du publi-reportage", "Copy and photos for the sponsored feature"),
     _STUDIO, "GI-298", 900, None, 900, 900, 850),
    ("L030", "A13", "staff", L("Formation de six vendeurs, deux jours", "Training for six shop staff, two days"),
     "Formactiv Commerce", "FAC-1207", 3200, None, 3200, 3200, 3150),
    ("L031", "A14", "printing", L("500 coffrets cadeaux à nos couleurs", "500 branded gift boxes"),
     "Cartonnages Brière", "CB-3340", 4500, None, 4500, 4500, None),
    ("L032", "A14", "other", L("Présentoirs de caisse pour les deux boutiques", "Till displays for both shops"),
     "Agencement Tilleul", "AT-61", 1800, None, 1800, None, None),
    ("L033", "A15", "promotions", L("Premier mois à moitié prix des nouveaux abonnés", "New subscribers' half-price first month"),
     IN_HOUSE, None, None, None, 5200, 2000, 1900),
    ("L034", "A15", "tools", L("Envois automatiques d'e-mails", "Automated e-mail sending"),
     _MAILER, "ML-440", 1500, None, 1500, 1500, 750),
    ("L035", "A16", "promotions", L("Mois offerts aux parrains et aux filleuls", "Free months for referrers and friends"),
     IN_HOUSE, None, None, None, 4000, 1000, 900),
    ("L036", "A16", "tools", L("Module de parrainage dans l'espace client", "Referral module in the customer account"),
     "Pixelmarée", "PXM-2301", 1600, None, 1600, 1600, 1600),
    ("L037", "A17", "tools", L("Application de carte de fidélité, licence annuelle", "Loyalty card app, yearly licence"),
     "Tamponet", "TMP-25", 2100, 2300, 2100, 2100, 2100),
    ("L038", "A17", "creative", L("Paramétrage et branchement aux caisses", "Setup and till integration"),
     "Tamponet", "TMP-26", 1500, None, 1500, 1500, 1450),
    ("L039", "A18", "tools", L("Abonnement à l'outil d'e-mailing", "E-mailing tool subscription"),
     _MAILER, "ML-431", 1200, 1150, 1200, 1200, 600),
    ("L040", "A18", "content", L("Rédaction des portraits de producteurs", "Writing the grower portraits"),
     "Atelier Verbena", "AV-33", 1800, 600, 1800, 1800, 900),
    ("L041", "A19", "tools", L("Scénarios de relance automatique", "Automated reminder flows"),
     _MAILER, "ML-447", 950, None, 950, 950, 950),
    ("L042", "A19", "promotions", L("Livraison offerte dans la seconde relance", "Free delivery in the second reminder"),
     IN_HOUSE, None, None, None, 1200, 600, 540),
    ("L043", "A20", "staff", L("Vingt samedis de dégustation", "Twenty tasting Saturdays"),
     IN_HOUSE, None, None, 2200, 2600, 2600, 1300),
    ("L044", "A20", "printing", L("Présentoirs et fiches de dégustation", "Displays and tasting cards"),
     _PRINTER, "IV-7760", 700, 600, 700, 700, 700),
    ("L045", "A21", "digital_ads", L("Annonces locales d'avril à décembre", "Local ads from April to December"),
     _ADS, "CLK-560", 5400, None, 5400, 5400, 2100),
    ("L046", "A21", "creative", L("Visuels et vidéos des annonces", "Ad visuals and videos"),
     _STUDIO, "GI-320", 1400, None, 1400, 1400, 1400),
    ("L047", "A22", "printing", L("Impression de 8 000 flyers de parrainage", "Printing 8,000 referral flyers"),
     _PRINTER, "IV-7781", 850, None, 850, 850, 850),
)

# --- KPIs ---------------------------------------------------------------------------------------

KPI_COLUMNS = ("id", "name", "type", "objective_id", "definition", "unit", "direction", "baseline", "target", "actual")
#: KPIs whose values add up since January (their baseline and target are yearly totals); the others are levels.
YEAR_TO_DATE_KPIS = frozenset({"K07", "K10"})
KPI_ROWS = (
    ("K01", L("Chiffre d'affaires", "Revenue"), "financial", "O1",
     L("Ventes facturées sur douze mois glissants", "Sales invoiced over a rolling twelve months"),
     "€", "higher", 1_850_000, 2_072_000, 1_968_000),
    ("K02", L("ROI marketing", "Marketing ROI"), "financial", "O1",
     L("(gain attribué - coût) / coût des actions terminées", "(attributed gain - cost) / cost of completed actions"),
     "%", "higher", 1.8, 2.2, 2.36),
    ("K03", L("Chiffre d'affaires en ligne", "Online revenue"), "financial", "O1.1",
     L("Ventes de la boutique en ligne sur douze mois glissants", "Online shop sales over a rolling twelve months"),
     "€", "higher", 380_000, 475_000, 431_000),
    ("K04", L("Taux d'abandon de panier", "Cart abandonment rate"), "performance", "O1.1",
     L("1 - commandes / paniers créés, sur le mois", "1 - orders / carts created, over the month"),
     "%", "lower", 0.74, 0.65, 0.665),
    ("K05", L("Taux de conversion", "Conversion rate"), "performance", "O1.1",
     L("Commandes / visites du site, sur le mois", "Orders / site visits, over the month"),
     "%", "higher", 0.016, 0.022, 0.023),
    ("K06", L("Trafic du site", "Site traffic"), "performance", "O1.1",
     L("Visites mensuelles de la boutique en ligne", "Monthly visits to the online shop"),
     L("visites", "visits"), "higher", 21000, 28000, 26500),
    ("K07", L("Nouveaux comptes professionnels", "New business accounts"), "performance", "O1.2",
     L("Contrats signés depuis le 1er janvier", "Contracts signed since 1 January"),
     L("comptes", "accounts"), "higher", 0, 15, 12),
    ("K08", L("Notoriété assistée", "Aided awareness"), "performance", "O2",
     L("Part des sondés qui reconnaissent la marque sur une liste", "Share of people surveyed who recognise the brand in a list"),
     "%", "higher", 0.18, 0.25, 0.2),
    ("K09", L("Abonnés Instagram", "Instagram followers"), "performance", "O2.1",
     L("Abonnés du compte de la marque en fin de mois", "Brand account followers at month end"),
     L("abonnés", "followers"), "higher", 6200, 9000, 9150),
    ("K10", L("Retombées presse", "Media coverage"), "performance", "O3",
     L("Articles et reportages publiés depuis le 1er janvier", "Articles and reports published since 1 January"),
     L("articles", "articles"), "higher", 5, 12, 4),
    ("K11", L("Panier moyen en boutique", "Average shop basket"), "financial", "O4",
     L("Chiffre d'affaires des boutiques / nombre de tickets", "Shop revenue / number of receipts"),
     "€", "higher", 24.5, 27, 25.9),
    ("K12", L("Abonnements actifs", "Active subscriptions"), "performance", "O5",
     L("Abonnements payés le mois écoulé", "Subscriptions paid last month"),
     L("abonnés", "subscribers"), "higher", 640, 900, 770),
    ("K13", L("Taux de fidélisation", "Retention rate"), "performance", "O6",
     L("Clients de l'an dernier ayant racheté cette année / clients de l'an dernier",
       "Last year's customers who bought again this year / last year's customers"),
     "%", "higher", 0.58, 0.65, 0.61),
    ("K14", L("Coût d'acquisition client", "Customer acquisition cost"), "financial", "O7",
     L("Dépenses d'acquisition en ligne / nouveaux clients en ligne", "Online acquisition spend / new online customers"),
     "€", "lower", 32, 26, 25.4),
)


# --- the year so far: monthly phasing, actuals and KPI values --------------------------------------

#: The demo shows the plan at the end of June: six months of actuals and KPI values.
SITUATION = _d(6, 30)
#: Budget lines whose planned amount is typed month by month (the others spread over their action's months).
PHASED_LINES: dict[str, tuple[float, ...]] = {
    "L004": (0, 800, 800, 800, 800, 800, 800, 800, 800, 800, 1200, 1200),   # keyword bids, a peak for the holidays
    "L020": (500,) * 12,                                                         # two videos a month
}
#: KPIs whose target is typed month by month: followers, a campaign with a June deadline.
KPI_MONTHLY_TARGETS: dict[str, tuple[float | None, ...]] = {
    "K09": (6500, 6900, 7400, 7900, 8400, 9000, None, None, None, None, None, None),
}


# --- results: campaign codes, achieved gains, KPI sources ----------------------------------------------

#: Each action's campaign code, the utm_campaign value its links and ad campaigns carry ("{year}": the plan year).
ACTION_CAMPAIGNS: dict[str, str] = {
    "A01": "{year}-refonte-boutique", "A02": "{year}-sea-origines", "A03": "{year}-seo-fiches",
    "A04": "{year}-prospection-chr", "A05": "{year}-salon-angers", "A06": "{year}-affichage-anjou",
    "A07": "{year}-bar-marches", "A08": "{year}-instagram-videos", "A09": "{year}-createurs-locaux",
    "A10": "{year}-presse-regionale", "A11": "{year}-portes-ouvertes", "A12": "{year}-magazine-gourmand",
    "A13": "{year}-formation-vendeurs", "A14": "{year}-coffrets-caisse", "A15": "{year}-bienvenue-abonnement",
    "A16": "{year}-parrainage", "A17": "{year}-carte-fidelite", "A18": "{year}-newsletter",
    "A19": "{year}-relance-paniers", "A20": "{year}-degustations-epiceries", "A21": "{year}-social-local",
    "A22": "{year}-flyer-colis",
}
#: The gain each measured action brought, month by month, up to the situation date (the actions whose results
#: are measured: the demo's achieved gain is the total of these months).
ACHIEVED_MONTHS: dict[str, dict[int, float]] = {
    "A01": {5: 11800, 6: 13400},
    "A02": {2: 2100, 3: 3600, 4: 4200, 5: 4700, 6: 5300},
    "A04": {3: 2400, 4: 4800, 5: 7200, 6: 9600},
    "A05": {3: 9800, 4: 7400},
    "A12": {5: 3400, 6: 1800},
    "A13": {3: 1800, 4: 2600, 5: 2900, 6: 3100},
    "A17": {5: 2400, 6: 4100},
    "A19": {6: 5800},
}
#: The export metric each KPI's months come from (``mplan-xl results``); the others are typed by hand.
KPI_SOURCES: dict[str, str] = {"K03": "revenue", "K05": "conversion_rate", "K06": "sessions", "K14": "cpa"}
