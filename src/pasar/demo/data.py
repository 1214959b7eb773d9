"""Vocabulary for the demo marketplace: places, categories, brands and product words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    city: str
    region: str
    postal_code: str
    country: str
    time_zone: str


PLACES = (
    Place("Jakarta", "DKI Jakarta", "10210", "ID", "Asia/Jakarta"),
    Place("Bandung", "Jawa Barat", "40111", "ID", "Asia/Jakarta"),
    Place("Surabaya", "Jawa Timur", "60271", "ID", "Asia/Jakarta"),
    Place("Medan", "Sumatera Utara", "20112", "ID", "Asia/Jakarta"),
    Place("Yogyakarta", "DI Yogyakarta", "55213", "ID", "Asia/Jakarta"),
    Place("Denpasar", "Bali", "80234", "ID", "Asia/Makassar"),
    Place("Makassar", "Sulawesi Selatan", "90111", "ID", "Asia/Makassar"),
    Place("Jayapura", "Papua", "99111", "ID", "Asia/Jayapura"),
    Place("Singapore", "Central", "018956", "SG", "Asia/Singapore"),
    Place("Kuala Lumpur", "Wilayah Persekutuan", "50088", "MY", "Asia/Kuala_Lumpur"),
    Place("Bangkok", "Bangkok", "10330", "TH", "Asia/Bangkok"),
    Place("Manila", "Metro Manila", "1000", "PH", "Asia/Manila"),
)

#: name -> (children, option axes for its products)
CATEGORIES: dict[str, dict[str, tuple[str, ...]]] = {
    "Electronics": {
        "Phones": ("storage", "colour"),
        "Laptops": ("memory", "colour"),
        "Audio": ("colour",),
        "Cameras": ("kit",),
    },
    "Fashion": {
        "Shirts": ("size", "colour"),
        "Dresses": ("size", "colour"),
        "Shoes": ("size", "colour"),
        "Bags": ("colour",),
    },
    "Home & Living": {
        "Kitchen": ("colour",),
        "Furniture": ("finish",),
        "Decor": ("colour",),
        "Bedding": ("size", "colour"),
    },
    "Beauty": {"Skincare": ("volume",), "Makeup": ("shade",), "Fragrance": ("volume",)},
    "Sports & Outdoors": {
        "Fitness": ("weight",),
        "Cycling": ("size",),
        "Camping": ("capacity",),
    },
    "Toys & Hobbies": {"Building Sets": ("pieces",), "Board Games": ("edition",)},
    "Groceries": {"Coffee & Tea": ("weight",), "Snacks": ("pack",)},
}

OPTION_VALUES: dict[str, tuple[str, ...]] = {
    "storage": ("64 GB", "128 GB", "256 GB", "512 GB"),
    "memory": ("8 GB", "16 GB", "32 GB"),
    "colour": ("Black", "White", "Navy", "Red", "Olive", "Sand", "Teal"),
    "size": ("XS", "S", "M", "L", "XL", "XXL"),
    "kit": ("Body only", "With 18-55 mm lens", "With 24-105 mm lens"),
    "finish": ("Oak", "Walnut", "Teak", "White"),
    "volume": ("30 ml", "50 ml", "100 ml"),
    "shade": ("Ivory", "Beige", "Tan", "Mocha"),
    "weight": ("250 g", "500 g", "1 kg", "5 kg", "10 kg"),
    "capacity": ("1 person", "2 persons", "4 persons"),
    "pieces": ("250 pcs", "500 pcs", "1000 pcs"),
    "edition": ("Standard", "Deluxe"),
    "pack": ("Single", "Pack of 6", "Pack of 12"),
}

NOUNS: dict[str, tuple[str, ...]] = {
    "Phones": ("Smartphone", "Phone", "Flip Phone"),
    "Laptops": ("Laptop", "Ultrabook", "Notebook"),
    "Audio": ("Wireless Earbuds", "Headphones", "Bluetooth Speaker", "Soundbar"),
    "Cameras": ("Mirrorless Camera", "Action Camera", "Instant Camera"),
    "Shirts": ("Batik Shirt", "Linen Shirt", "Oxford Shirt", "Polo Shirt"),
    "Dresses": ("Wrap Dress", "Kebaya Dress", "Maxi Dress", "Shirt Dress"),
    "Shoes": ("Running Shoes", "Leather Sneakers", "Sandals", "Loafers"),
    "Bags": ("Backpack", "Tote Bag", "Sling Bag", "Duffel"),
    "Kitchen": ("Wok", "Rice Cooker", "Knife Set", "Coffee Grinder", "Blender"),
    "Furniture": ("Coffee Table", "Bookshelf", "Desk", "Rattan Chair"),
    "Decor": ("Table Lamp", "Wall Clock", "Ceramic Vase", "Woven Basket"),
    "Bedding": ("Duvet Cover", "Sheet Set", "Pillow"),
    "Skincare": ("Face Serum", "Sunscreen SPF 50", "Moisturiser", "Cleanser"),
    "Makeup": ("Cushion Foundation", "Lip Tint", "Mascara"),
    "Fragrance": ("Eau de Parfum", "Body Mist"),
    "Fitness": ("Dumbbell", "Kettlebell", "Yoga Mat", "Resistance Bands"),
    "Cycling": ("Road Bike", "Helmet", "Cycling Jersey"),
    "Camping": ("Tent", "Sleeping Bag", "Camp Stove"),
    "Building Sets": ("Building Set", "Puzzle"),
    "Board Games": ("Board Game", "Card Game"),
    "Coffee & Tea": ("Arabica Beans", "Kopi Luwak", "Jasmine Tea", "Gayo Coffee"),
    "Snacks": ("Cassava Chips", "Kerupuk", "Dried Mango"),
}

ADJECTIVES = (
    "Classic",
    "Essential",
    "Pro",
    "Lite",
    "Premium",
    "Everyday",
    "Urban",
    "Nusantara",
    "Tropical",
    "Eco",
    "Compact",
    "Ultra",
    "Heritage",
    "Studio",
    "Travel",
    "Signature",
)

BRANDS = (
    "Arunika",
    "Batavia",
    "Cendana",
    "Dewata",
    "Elang",
    "Garuda Works",
    "Halimun",
    "Indigo",
    "Jati",
    "Kenari",
    "Lontar",
    "Merapi",
    "Nusa",
    "Orchid",
    "Pelangi",
    "Rinjani",
    "Samudra",
    "Tenggara",
    "Ubud Craft",
    "Wijaya",
)

SHOP_WORDS = (
    "Toko",
    "Gudang",
    "Warung",
    "Pusat",
    "Rumah",
    "Galeri",
    "Dunia",
    "Sentra",
    "Grosir",
    "Kios",
)
SHOP_THEMES = (
    "Elektronik",
    "Gadget",
    "Busana",
    "Sepatu",
    "Dapur",
    "Mebel",
    "Kecantikan",
    "Olahraga",
    "Mainan",
    "Kopi",
    "Batik",
    "Outdoor",
    "Rumah Tangga",
    "Hobi",
    "Digital",
)

#: Base prices in major units per leaf category; variants and sellers vary around them.
BASE_PRICE: dict[str, int] = {
    "Phones": 350,
    "Laptops": 900,
    "Audio": 80,
    "Cameras": 650,
    "Shirts": 25,
    "Dresses": 40,
    "Shoes": 60,
    "Bags": 35,
    "Kitchen": 45,
    "Furniture": 180,
    "Decor": 20,
    "Bedding": 30,
    "Skincare": 15,
    "Makeup": 12,
    "Fragrance": 45,
    "Fitness": 30,
    "Cycling": 150,
    "Camping": 70,
    "Building Sets": 40,
    "Board Games": 30,
    "Coffee & Tea": 12,
    "Snacks": 4,
}

#: grams per leaf category, for shipping later.
BASE_WEIGHT: dict[str, int] = {
    "Phones": 400,
    "Laptops": 2200,
    "Audio": 500,
    "Cameras": 900,
    "Shirts": 300,
    "Dresses": 400,
    "Shoes": 1100,
    "Bags": 800,
    "Kitchen": 1500,
    "Furniture": 15000,
    "Decor": 1200,
    "Bedding": 1500,
    "Skincare": 200,
    "Makeup": 100,
    "Fragrance": 350,
    "Fitness": 3000,
    "Cycling": 4000,
    "Camping": 2500,
    "Building Sets": 1000,
    "Board Games": 1200,
    "Coffee & Tea": 600,
    "Snacks": 300,
}

# --- buyers and their orders ---------------------------------------------------------------

#: country -> (given names, family names; "" means a single name, common in Indonesia).
BUYER_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ID": (
        (
            "Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Putri", "Joko", "Wulan", "Rizky",
            "Ayu", "Fajar", "Indah", "Hendra", "Nur", "Bayu", "Lestari", "Yusuf", "Ratna",
            "Dimas", "Sri", "Eko", "Maya", "Teguh", "Citra", "Arif", "Fitri", "Gilang",
            "Intan", "Kevin", "Olivia", "Daniel", "Grace", "Michael", "Jessica", "Ryan",
        ),
        (
            "Santoso", "Wijaya", "Saputra", "Hidayat", "Pratama", "Siregar", "Nasution",
            "Simanjuntak", "Kusuma", "Halim", "Tanjung", "Gunawan", "Setiawan", "Nugroho",
            "Lubis", "Wibowo", "Sihombing", "Rahman", "Hartono", "Susanto", "", "", "", "",
        ),
    ),
    "SG": (
        ("Wei Ling", "Jun Jie", "Siew Mei", "Emily", "James", "Nurul", "Priya", "Ethan"),
        ("Tan", "Lim", "Ng", "Lee", "Wong", "Chua", "Abdullah", "Kumar"),
    ),
    "MY": (
        ("Ahmad", "Nur Aisyah", "Mei Ling", "Hafiz", "Siti Nurhaliza", "Kumar", "Chloe"),
        ("Ismail", "Abdullah", "Chong", "Tan", "Ramasamy", "Yusof", "Lim"),
    ),
    "TH": (
        ("Somchai", "Kanya", "Niran", "Suda", "Anan", "Ploy", "Tanawat", "Sophie"),
        ("Srisuk", "Chaiyaporn", "Wongsakul", "Rattanakorn", "Boonmee", "Taylor"),
    ),
    "PH": (
        ("Maria", "Jose", "Juan", "Angelica", "Mark", "Kristine", "Paolo", "Liam"),
        ("Cruz", "Reyes", "Santos", "Garcia", "Mendoza", "Bautista", "Brown"),
    ),
}  # fmt: skip

#: country -> (street names, how a street address is written).
STREETS: dict[str, tuple[tuple[str, ...], str]] = {
    "ID": (
        ("Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Gajah Mada", "Jl. Ahmad Yani",
         "Jl. Pemuda", "Jl. Veteran", "Jl. Kenanga", "Jl. Melati", "Gang Mawar"),
        "{street} No. {number}",
    ),
    "SG": (
        ("Tampines Street 81", "Ang Mo Kio Avenue 3", "Bukit Timah Road", "Jurong West Street 52",
         "Bedok North Road"),
        "Blk {number} {street}",
    ),
    "MY": (
        ("Jalan Bukit Bintang", "Jalan Ampang", "Jalan Tun Razak", "Jalan Sultan Ismail"),
        "No. {number}, {street}",
    ),
    "TH": (
        ("Sukhumvit Road", "Silom Road", "Ratchadaphisek Road", "Phahonyothin Road"),
        "{number} {street}",
    ),
    "PH": (
        ("Ayala Avenue", "Roxas Boulevard", "Katipunan Avenue", "Shaw Boulevard"),
        "{number} {street}",
    ),
}  # fmt: skip

BUYER_CANCEL_REASONS = (
    "Changed my mind",
    "Ordered the wrong size",
    "Found it cheaper elsewhere",
    "Delivery takes too long",
)
SELLER_CANCEL_REASONS = (
    "Out of stock",
    "Item damaged in the warehouse",
    "Price was listed in error",
    "Cannot ship this item to the delivery address",
)
OPERATOR_CANCEL_REASONS = (
    "Suspected fraud: flagged by risk review",
    "Buyer asked support by phone to cancel",
    "Duplicate order",
)
DELIVERY_FAILURES = (
    "Recipient not at home after three attempts",
    "Address could not be found",
    "Recipient refused the parcel",
)
