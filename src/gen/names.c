/*
 * names.c - embedded lists for the generator: names by origin group, streets,
 * cities, agencies, courts. Written for this project (common names of Los
 * Angeles County's communities); no external dataset was copied.
 */
#include "custodian/compat.h"
#include "gen_names.h"

#define L(a)                                                                                       \
    {                                                                                              \
        a, CUST_ARRAY_LEN(a)                                                                       \
    }

static const char *const hisp_last[] = {
    "GARCIA",     "HERNANDEZ", "LOPEZ",    "MARTINEZ",  "GONZALEZ",   "RODRIGUEZ", "PEREZ",
    "SANCHEZ",    "RAMIREZ",   "FLORES",   "TORRES",    "RIVERA",     "GOMEZ",     "DIAZ",
    "CRUZ",       "MORALES",   "REYES",    "GUTIERREZ", "ORTIZ",      "CASTILLO",  "MENDOZA",
    "RUIZ",       "ALVAREZ",   "JIMENEZ",  "VASQUEZ",   "ROMERO",     "HERRERA",   "MEDINA",
    "AGUILAR",    "VARGAS",    "CASTRO",   "GUZMAN",    "MUÑOZ",      "SALAZAR",   "RAMOS",
    "DELGADO",    "CONTRERAS", "CHAVEZ",   "ESTRADA",   "NAVARRO",    "PEÑA",      "VALENZUELA",
    "CERVANTES",  "AVILA",     "CAMACHO",  "ORTEGA",    "MALDONADO",  "SANDOVAL",  "CARRILLO",
    "ROSALES",    "ESPINOZA",  "ACOSTA",   "IBARRA",    "NUÑEZ",      "ZAMORA",    "VELASQUEZ",
    "DE LA CRUZ", "DE LEON",   "SOLÍS",    "MEJÍA",     "BARAJAS",    "ARELLANO",  "GALVÁN",
    "QUINTERO",   "OROZCO",    "FIGUEROA", "LUNA",      "VILLALOBOS", "SERRANO",   "MONTOYA"};
static const char *const hisp_male[] = {
    "JOSE",      "JUAN",      "LUIS",   "CARLOS",  "JESUS",   "MIGUEL",  "JORGE",   "ANTONIO",
    "FRANCISCO", "ALEJANDRO", "DANIEL", "DAVID",   "MARIO",   "RICARDO", "EDUARDO", "FERNANDO",
    "JAVIER",    "OSCAR",     "SERGIO", "RAUL",    "ROBERTO", "ARMANDO", "CESAR",   "HECTOR",
    "EDGAR",     "ERIK",      "VICTOR", "MANUEL",  "RUBEN",   "GERARDO", "ADRIAN",  "ANGEL",
    "JONATHAN",  "CHRISTIAN", "KEVIN",  "BRIAN",   "ANDRES",  "RAMÓN",   "JOSÉ",    "JESÚS",
    "EFRAÍN",    "GUSTAVO",   "ISRAEL", "ALFREDO", "JULIO",   "PEDRO",   "SAUL",    "ERNESTO",
    "ANDREW",    "ANTHONY"};
static const char *const hisp_female[] = {
    "MARIA",     "GUADALUPE", "ROSA",     "ANA",       "VERONICA", "ELIZABETH", "YESENIA",
    "BRENDA",    "CLAUDIA",   "SANDRA",   "ANGELICA",  "LETICIA",  "DIANA",     "JESSICA",
    "KARINA",    "ALEJANDRA", "LUCIA",    "MÓNICA",    "MARÍA",    "NANCY",     "CRYSTAL",
    "STEPHANIE", "VANESSA",   "GABRIELA", "ESMERALDA", "MARISOL"};
static const char *const black_last[] = {
    "WILLIAMS", "JOHNSON",  "SMITH",    "JONES",    "BROWN",   "JACKSON",   "DAVIS",  "WASHINGTON",
    "HARRIS",   "ROBINSON", "THOMAS",   "JAMES",    "WALKER",  "TAYLOR",    "WHITE",  "THOMPSON",
    "MOORE",    "ALLEN",    "YOUNG",    "KING",     "WRIGHT",  "SCOTT",     "GREEN",  "BAKER",
    "CARTER",   "MITCHELL", "BANKS",    "JENKINS",  "COLEMAN", "BUTLER",    "BRYANT", "GRIFFIN",
    "HAYES",    "SIMMONS",  "FRANKLIN", "DIXON",    "OWENS",   "REED",      "BELL",   "WARD",
    "PERKINS",  "MOSLEY",   "GAINES",   "HOLLOWAY", "MCCLAIN", "JEFFERSON", "WILLIS", "HAWKINS"};
static const char *const black_male[] = {
    "MICHAEL",     "DARNELL",   "DEANDRE", "MARCUS", "TERRELL", "ANTHONY", "JAMAL",   "ANDRE",
    "CHRISTOPHER", "DEMETRIUS", "TYRONE",  "JEROME", "CALVIN",  "CORNELL", "DONTE",   "LAMAR",
    "REGINALD",    "CURTIS",    "KEITH",   "DARRYL", "RASHAD",  "MALIK",   "TREVON",  "ISAIAH",
    "JAYLEN",      "DESHAWN",   "ROBERT",  "JAMES",  "WILLIE",  "LARRY",   "KENNETH", "DAMON"};
static const char *const black_female[] = {
    "KEISHA",  "TANISHA",   "LATOYA", "SHANICE",  "EBONY",   "JASMINE", "AALIYAH", "TIFFANY",
    "MONIQUE", "DOMINIQUE", "ANGELA", "PATRICIA", "DESTINY", "IMANI",   "BRIANNA", "SHANTEL"};
static const char *const white_last[] = {
    "MILLER",  "ANDERSON", "WILSON",   "MARTIN",   "CLARK",    "LEWIS",      "HALL",   "ADAMS",
    "NELSON",  "HILL",     "CAMPBELL", "ROBERTS",  "PHILLIPS", "EVANS",      "TURNER", "PARKER",
    "COLLINS", "EDWARDS",  "STEWART",  "MORRIS",   "MURPHY",   "COOK",       "ROGERS", "MORGAN",
    "COOPER",  "PETERSON", "KELLY",    "HOWARD",   "COX",      "RICHARDSON", "WOOD",   "BROOKS",
    "BENNETT", "GRAY",     "HUGHES",   "PRICE",    "SULLIVAN", "RUSSELL",    "MYERS",  "FISHER",
    "SCHMIDT", "KOWALSKI", "O'BRIEN",  "O'CONNOR", "MCDONALD", "HOFFMAN",    "WAGNER", "BECKER",
    "NOVAK",   "ROSSI",    "RUSSO",    "COHEN",    "LEVY",     "PETROV",     "IVANOV", "KOVACS",
    "MÜLLER",  "SHAPIRO"};
static const char *const white_male[] = {
    "MICHAEL", "JAMES",       "JOHN",    "ROBERT",  "WILLIAM", "DAVID", "RICHARD", "JOSEPH",
    "THOMAS",  "CHRISTOPHER", "MATTHEW", "JOSHUA",  "ANDREW",  "RYAN",  "JUSTIN",  "BRANDON",
    "TYLER",   "KYLE",        "CODY",    "DUSTIN",  "TRAVIS",  "SHAWN", "JEREMY",  "SEAN",
    "PATRICK", "STEVEN",      "ERIC",    "TIMOTHY", "JASON",   "SCOTT", "DMITRI",  "NIKOLAI"};
static const char *const white_female[] = {
    "JENNIFER", "AMANDA",    "ASHLEY", "SARAH",    "JESSICA",  "MELISSA",
    "NICOLE",   "HEATHER",   "AMBER",  "BRITTANY", "SAMANTHA", "RACHEL",
    "LAUREN",   "KATHERINE", "EMILY",  "MEGAN",    "KRISTEN",  "ZOË"};
static const char *const kor_last[] = {"KIM", "LEE",  "PARK",  "CHOI", "JUNG", "KANG",
                                       "CHO", "YOON", "JANG",  "LIM",  "HAN",  "SHIN",
                                       "SEO", "KWON", "HWANG", "OH",   "SONG", "BAEK"};
static const char *const kor_male[] = {"JUN",       "MIN",   "SUNG",    "HYUN", "JAE",
                                       "DONG HYUN", "YOUNG", "SANG",    "JIN",  "DANIEL",
                                       "DAVID",     "JOHN",  "JI HOON", "SEUNG"};
static const char *const kor_female[] = {"SOO JIN", "JI YOUNG", "EUN",    "HYE", "MIN JI",
                                         "GRACE",   "JENNY",    "SOYEON", "YUNA"};
static const char *const chi_last[] = {"WANG",  "LI",    "ZHANG", "LIU",  "CHEN", "YANG",
                                       "HUANG", "ZHAO",  "WU",    "ZHOU", "LIN",  "WONG",
                                       "CHAN",  "LEUNG", "HO",    "NG",   "TSAI", "CHEUNG"};
static const char *const chi_male[] = {"WEI",   "JIAN", "MING", "HAO",  "JUN",    "TAO",
                                       "KEVIN", "ERIC", "ANDY", "TONY", "ZHIWEI", "CHUN"};
static const char *const chi_female[] = {"MEI",   "LING", "XIU",    "YAN",    "HUI",
                                         "JENNY", "AMY",  "VIVIAN", "XIAOMEI"};
static const char *const fil_last[] = {
    "SANTOS",   "REYES",    "CRUZ",   "BAUTISTA",   "OCAMPO",   "DEL ROSARIO",
    "GARCIA",   "MENDOZA",  "AQUINO", "VILLANUEVA", "CASTILLO", "DELA CRUZ",
    "MACARAEG", "DIMAGIBA", "MANALO", "PASCUAL",    "TOLENTINO"};
static const char *const fil_male[] = {"JOSE",   "JOHN",  "MARK", "RONALDO", "ROMMEL", "JERICHO",
                                       "JAYSON", "ARNEL", "JOEL", "NOEL",    "RODEL"};
static const char *const fil_female[] = {"MARIA",  "KRISTINE", "JOY",         "MARICEL",
                                         "ROWENA", "JOCELYN",  "MA. CRISTINA"};
static const char *const vie_last[] = {"NGUYEN", "TRAN", "LE",    "PHAM", "HOANG", "HUYNH",
                                       "PHAN",   "VU",   "VO",    "DANG", "BUI",   "DO",
                                       "HO",     "NGO",  "DUONG", "LY"};
static const char *const vie_male[] = {"MINH",  "TUAN", "HUNG", "DUC",   "THANH", "KHANH",
                                       "PHONG", "LONG", "VINH", "QUANG", "PETER"};
static const char *const vie_female[] = {"LAN", "MAI", "LINH", "HUONG", "THAO", "NGOC", "TRANG"};
static const char *const arm_last[] = {
    "SARGSYAN",  "HOVHANNISYAN", "GRIGORYAN",    "PETROSYAN",   "HAKOBYAN",    "KARAPETYAN",
    "AVETISYAN", "MKRTCHYAN",    "GHAZARYAN",    "MARTIROSYAN", "HARUTYUNYAN", "TER-PETROSYAN",
    "MINASIAN",  "KHACHATRYAN",  "BAGHDASARYAN", "ARUTYUNYAN",  "TOROSIAN",    "KESHISHIAN"};
static const char *const arm_male[] = {"ARMEN", "ARAM",  "ARTUR", "GEVORG", "HAYK",
                                       "VAHE",  "ARSEN", "NAREK", "TIGRAN", "DAVIT",
                                       "ARMAN", "EDGAR", "KAREN", "SAMVEL"};
static const char *const arm_female[] = {"ANI",    "LUSINE", "ANAHIT", "NARINE", "ARMINE",
                                         "GAYANE", "SONA",   "MARINE", "TATEVIK"};

static const char *const hisp_alt[] = {"MX", "MX", "MX", "MX", "MX", "SV", "SV",
                                       "GT", "GT", "HN", "NI", "CU", NULL};
static const char *const black_alt[] = {"NG", "JM", "BZ", "ET", "HT", NULL};
static const char *const white_alt[] = {"RU", "UA", "GB", "CA", "IR", "IL", "DE", "AU", NULL};
static const char *const chi_alt[] = {"CN", "CN", "TW", "HK", NULL};
static const char *const arm_alt[] = {"AM", "AM", "AM", "IR", "LB", "SY", "RU", NULL};

const struct gen_group gen_groups[] = {
    {"hispanic", 530, L(hisp_last), L(hisp_male), L(hisp_female), "MX", hisp_alt, 380},
    {"black", 280, L(black_last), L(black_male), L(black_female), "NG", black_alt, 30},
    {"white", 130, L(white_last), L(white_male), L(white_female), "RU", white_alt, 100},
    {"korean", 10, L(kor_last), L(kor_male), L(kor_female), "KR", NULL, 550},
    {"chinese", 12, L(chi_last), L(chi_male), L(chi_female), "CN", chi_alt, 550},
    {"filipino", 13, L(fil_last), L(fil_male), L(fil_female), "PH", NULL, 500},
    {"vietnamese", 8, L(vie_last), L(vie_male), L(vie_female), "VN", NULL, 550},
    {"armenian", 17, L(arm_last), L(arm_male), L(arm_female), "AM", arm_alt, 500},
};
const size_t gen_group_count = CUST_ARRAY_LEN(gen_groups);

static const char *const streets[] = {
    "Main",      "Broadway",     "Figueroa", "Vermont",        "Western",    "Normandie",
    "Hoover",    "Alvarado",     "Pico",     "Olympic",        "Washington", "Adams",
    "Jefferson", "Slauson",      "Florence", "Manchester",     "Century",    "Imperial",
    "Rosecrans", "Compton",      "Avalon",   "Central",        "Crenshaw",   "La Brea",
    "Sunset",    "Santa Monica", "Melrose",  "Beverly",        "Wilshire",   "Sherman",
    "Van Nuys",  "Sepulveda",    "Roscoe",   "Victory",        "Vanowen",    "Lankershim",
    "Atlantic",  "Long Beach",   "Whittier", "Cesar E Chavez", "Soto",       "Lorena",
    "Garvey",    "Valley",       "Rosemead", "Garfield",       "Colorado",   "Glenoaks",
    "Foothill",  "Palmdale",     "Sierra",   "Avenue K",       "Artesia",    "Alondra"};
static const char *const street_types[] = {"St", "Ave", "Blvd", "Dr", "Way", "Pl"};
static const char *const agencies[] = {"LAPD",
                                       "LAPD",
                                       "LAPD",
                                       "LAPD",
                                       "LAPD",
                                       "LAPD",
                                       "LAPD",
                                       "LAPD",
                                       "LAPD",
                                       "LAPD",
                                       "LAPD",
                                       "LASD",
                                       "LASD",
                                       "LASD",
                                       "LASD",
                                       "LASD",
                                       "LASD",
                                       "LASD",
                                       "LASD",
                                       "LASD",
                                       "CHP",
                                       "LONG BEACH PD",
                                       "LONG BEACH PD",
                                       "PASADENA PD",
                                       "GLENDALE PD",
                                       "SANTA MONICA PD",
                                       "TORRANCE PD",
                                       "POMONA PD",
                                       "EL MONTE PD",
                                       "INGLEWOOD PD",
                                       "BURBANK PD",
                                       "WHITTIER PD",
                                       "HAWTHORNE PD",
                                       "DOWNEY PD",
                                       "LA COUNTY PROBATION",
                                       "CSU LONG BEACH PD"};

const struct gen_list gen_streets = L(streets);
const struct gen_list gen_street_types = L(street_types);
const struct gen_list gen_agencies = L(agencies);

const struct gen_city gen_cities[] = {
    {"Los Angeles", 90001, 90089, 300},    {"Van Nuys", 91401, 91411, 40},
    {"North Hollywood", 91601, 91606, 30}, {"Long Beach", 90802, 90815, 70},
    {"Compton", 90220, 90224, 30},         {"Lancaster", 93534, 93536, 40},
    {"Palmdale", 93550, 93552, 40},        {"Pomona", 91766, 91768, 30},
    {"El Monte", 91731, 91733, 20},        {"Inglewood", 90301, 90305, 25},
    {"Pasadena", 91101, 91107, 20},        {"Glendale", 91201, 91208, 20},
    {"Downey", 90240, 90242, 15},          {"Norwalk", 90650, 90650, 15},
    {"West Covina", 91790, 91793, 15},     {"Torrance", 90501, 90505, 15},
    {"Hawthorne", 90250, 90250, 15},       {"South Gate", 90280, 90280, 15},
    {"Whittier", 90601, 90606, 15},        {"Burbank", 91501, 91506, 10},
    {"Santa Clarita", 91350, 91355, 15},   {"Carson", 90745, 90746, 10},
    {"Bellflower", 90706, 90706, 10},      {"Baldwin Park", 91706, 91706, 10},
    {"Lynwood", 90262, 90262, 10},         {"Paramount", 90723, 90723, 10},
    {"Hollywood", 90027, 90028, 15},       {"San Pedro", 90731, 90732, 10},
    {"Wilmington", 90744, 90744, 10},      {"Huntington Park", 90255, 90255, 10},
    {"Bell Gardens", 90201, 90201, 10},
};
const size_t gen_city_count = CUST_ARRAY_LEN(gen_cities);

const struct gen_court gen_courts[] = {
    {"BA", "CCB"},          {"LA", "Airport"},  {"KA", "Pomona South"}, {"PA", "San Fernando"},
    {"SA", "Santa Monica"}, {"TA", "Compton"},  {"NA", "Long Beach"},   {"MA", "Lancaster"},
    {"GA", "Pasadena"},     {"VA", "Van Nuys"}, {"YA", "Torrance"},     {"XNE", "Norwalk"},
};
const size_t gen_court_count = CUST_ARRAY_LEN(gen_courts);

const char *gen_nickname(const char *first)
{
    static const char *const pairs[][2] = {
        {"JOSE", "JOE"},          {"JOSÉ", "JOE"},        {"MICHAEL", "MIKE"},
        {"ROBERT", "BOBBY"},      {"WILLIAM", "BILL"},    {"ANTHONY", "TONY"},
        {"CHRISTOPHER", "CHRIS"}, {"FRANCISCO", "FRANK"}, {"ALEJANDRO", "ALEX"},
        {"JAMES", "JIMMY"},       {"RICHARD", "RICK"},    {"DANIEL", "DANNY"},
        {"JESUS", "CHUY"},        {"GUADALUPE", "LUPE"},  {"ELIZABETH", "LIZ"},
        {"JONATHAN", "JOHNNY"},   {"EDUARDO", "EDDIE"},   {"ROBERTO", "BETO"},
        {"JENNIFER", "JENNY"},    {"DEANDRE", "DRE"},     {"MATTHEW", "MATT"},
        {"PATRICIA", "PATTY"},    {"REGINALD", "REGGIE"}, {"ARMEN", "ARMO"},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(pairs); i++)
        if (strcmp(pairs[i][0], first) == 0)
            return pairs[i][1];
    return NULL;
}
