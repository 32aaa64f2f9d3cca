"""Reference data the registry starts with (loaded by a data migration; edited later as data).

- Peru's 25 regions (departments) with their ubigeo codes.
- UNSPSC: every segment, plus the families and classes the demo and common public purchases use.
  The full code list is licensed separately; load it with ``manage.py load_unspsc FILE.csv``.
- The UIT per fiscal year and the size classes of Law 30056.
"""

from __future__ import annotations

from decimal import Decimal

REGIONS_PE = [
    ("01", "Amazonas"), ("02", "Áncash"), ("03", "Apurímac"), ("04", "Arequipa"), ("05", "Ayacucho"),
    ("06", "Cajamarca"), ("07", "Callao"), ("08", "Cusco"), ("09", "Huancavelica"), ("10", "Huánuco"),
    ("11", "Ica"), ("12", "Junín"), ("13", "La Libertad"), ("14", "Lambayeque"), ("15", "Lima"),
    ("16", "Loreto"), ("17", "Madre de Dios"), ("18", "Moquegua"), ("19", "Pasco"), ("20", "Piura"),
    ("21", "Puno"), ("22", "San Martín"), ("23", "Tacna"), ("24", "Tumbes"), ("25", "Ucayali"),
]  # fmt: skip

# (code, Spanish name, English name). Segments first; then families and classes under them.
UNSPSC_SEED = [
    ("10000000", "Material vivo vegetal y animal, accesorios y suministros", "Live Plant and Animal Material and Accessories and Supplies"),
    ("11000000", "Material mineral, textil y vegetal y animal no comestible", "Mineral and Textile and Inedible Plant and Animal Materials"),
    ("12000000", "Productos químicos, incluidos bioquímicos y gases", "Chemicals including Bio Chemicals and Gas Materials"),
    ("13000000", "Resinas, colofonia, caucho, espuma, películas y elastómeros", "Resin and Rosin and Rubber and Foam and Film and Elastomeric Materials"),
    ("14000000", "Materiales y productos de papel", "Paper Materials and Products"),
    ("15000000", "Combustibles, aditivos, lubricantes y anticorrosivos", "Fuels and Fuel Additives and Lubricants and Anti corrosive Materials"),
    ("20000000", "Maquinaria y accesorios de minería y perforación de pozos", "Mining and Well Drilling Machinery and Accessories"),
    ("21000000", "Maquinaria y accesorios agrícolas, pesqueros, forestales y de fauna", "Farming and Fishing and Forestry and Wildlife Machinery and Accessories"),
    ("22000000", "Maquinaria y accesorios para construcción y edificación", "Building and Construction Machinery and Accessories"),
    ("23000000", "Maquinaria y accesorios de fabricación y procesos industriales", "Industrial Manufacturing and Processing Machinery and Accessories"),
    ("24000000", "Maquinaria de manejo, acondicionamiento y almacenamiento de materiales", "Material Handling and Conditioning and Storage Machinery and their Accessories and Supplies"),
    ("25000000", "Vehículos comerciales, militares y particulares, accesorios y componentes", "Commercial and Military and Private Vehicles and their Accessories and Components"),
    ("26000000", "Maquinaria y accesorios de generación y distribución de energía", "Power Generation and Distribution Machinery and Accessories"),
    ("27000000", "Herramientas y maquinaria general", "Tools and General Machinery"),
    ("30000000", "Estructuras, componentes y suministros de construcción y fabricación", "Structures and Building and Construction and Manufacturing Components and Supplies"),
    ("31000000", "Componentes y suministros de manufactura", "Manufacturing Components and Supplies"),
    ("32000000", "Componentes y suministros electrónicos", "Electronic Components and Supplies"),
    ("39000000", "Sistemas eléctricos, iluminación, componentes y accesorios", "Electrical Systems and Lighting and Components and Accessories and Supplies"),
    ("40000000", "Sistemas de distribución y acondicionamiento, equipos y componentes", "Distribution and Conditioning Systems and Equipment and Components"),
    ("41000000", "Equipos de laboratorio, medición, observación y pruebas", "Laboratory and Measuring and Observing and Testing Equipment"),
    ("42000000", "Equipos, accesorios y suministros médicos", "Medical Equipment and Accessories and Supplies"),
    ("43000000", "Tecnologías de la información, difusión y telecomunicaciones", "Information Technology Broadcasting and Telecommunications"),
    ("44000000", "Equipos, accesorios y suministros de oficina", "Office Equipment and Accessories and Supplies"),
    ("45000000", "Equipos y suministros de imprenta, fotografía y audiovisuales", "Printing and Photographic and Audio and Visual Equipment and Supplies"),
    ("46000000", "Equipos y suministros de defensa, orden público, seguridad y protección", "Defense and Law Enforcement and Security and Safety Equipment and Supplies"),
    ("47000000", "Equipos y suministros de limpieza", "Cleaning Equipment and Supplies"),
    ("48000000", "Maquinaria, equipos y suministros para la industria de servicios", "Service Industry Machinery and Equipment and Supplies"),
    ("49000000", "Equipos y suministros deportivos y recreativos", "Sports and Recreational Equipment and Supplies and Accessories"),
    ("50000000", "Alimentos, bebidas y tabaco", "Food Beverage and Tobacco Products"),
    ("51000000", "Medicamentos y productos farmacéuticos", "Drugs and Pharmaceutical Products"),
    ("52000000", "Electrodomésticos y productos electrónicos de consumo", "Domestic Appliances and Supplies and Consumer Electronic Products"),
    ("53000000", "Ropa, maletas y productos de aseo personal", "Apparel and Luggage and Personal Care Products"),
    ("54000000", "Relojes, joyería y piedras preciosas", "Timepieces and Jewelry and Gemstone Products"),
    ("55000000", "Productos impresos y publicaciones", "Published Products"),
    ("56000000", "Muebles y mobiliario", "Furniture and Furnishings"),
    ("60000000", "Instrumentos musicales, juegos, artes, artesanías y material educativo", "Musical Instruments and Games and Toys and Arts and Crafts and Educational Equipment and Materials and Accessories and Supplies"),
    ("64000000", "Instrumentos, productos, contratos y acuerdos financieros", "Financial Instruments, Products, Contracts and Agreements"),
    ("70000000", "Servicios agrícolas, pesqueros, forestales y de fauna", "Farming and Fishing and Forestry and Wildlife Contracting Services"),
    ("71000000", "Servicios de minería, petróleo y gas", "Mining and oil and gas services"),
    ("72000000", "Servicios de construcción y mantenimiento de edificaciones e instalaciones", "Building and Facility Construction and Maintenance Services"),
    ("73000000", "Servicios de producción industrial y manufactura", "Industrial Production and Manufacturing Services"),
    ("76000000", "Servicios de limpieza industrial", "Industrial Cleaning Services"),
    ("77000000", "Servicios medioambientales", "Environmental Services"),
    ("78000000", "Servicios de transporte, almacenaje y correo", "Transportation and Storage and Mail Services"),
    ("80000000", "Servicios de gestión, profesionales de empresa y administrativos", "Management and Business Professionals and Administrative Services"),
    ("81000000", "Servicios de ingeniería, investigación y tecnología", "Engineering and Research and Technology Based Services"),
    ("82000000", "Servicios editoriales, de diseño, artes gráficas y bellas artes", "Editorial and Design and Graphic and Fine Art Services"),
    ("83000000", "Servicios públicos y servicios relacionados con el sector público", "Public Utilities and Public Sector Related Services"),
    ("84000000", "Servicios financieros y de seguros", "Financial and Insurance Services"),
    ("85000000", "Servicios de salud", "Healthcare Services"),
    ("86000000", "Servicios educativos y de formación", "Education and Training Services"),
    ("90000000", "Servicios de viajes, alimentación, alojamiento y entretenimiento", "Travel and Food and Lodging and Entertainment Services"),
    ("91000000", "Servicios personales y domésticos", "Personal and Domestic Services"),
    ("92000000", "Servicios de defensa nacional, orden público y seguridad", "National Defense and Public Order and Security and Safety Services"),
    ("93000000", "Servicios políticos y de asuntos cívicos", "Politics and Civic Affairs Services"),
    ("94000000", "Organizaciones y clubes", "Organizations and Clubs"),
    ("95000000", "Terrenos, edificios, estructuras y vías", "Land and Buildings and Structures and Thoroughfares"),
    # Families and classes common in public purchasing.
    ("14110000", "Productos de papel", "Paper products"),
    ("14111500", "Papel de imprenta y de escribir", "Printing and writing paper"),
    ("15100000", "Combustibles", "Fuels"),
    ("15101500", "Petróleo y destilados", "Petroleum and distillates"),
    ("42130000", "Telas y vestuario médicos", "Medical apparel and textiles"),
    ("42132200", "Guantes médicos y accesorios", "Medical gloves and accessories"),
    ("43210000", "Equipo informático y accesorios", "Computer Equipment and Accessories"),
    ("43211500", "Computadores", "Computers"),
    ("44120000", "Suministros de oficina", "Office supplies"),
    ("44121700", "Instrumentos de escritura", "Writing instruments"),
    ("47130000", "Suministros de aseo y limpieza", "Cleaning and janitorial supplies"),
    ("47131800", "Soluciones de limpieza y desinfección", "Cleaning and disinfecting solutions"),
    ("50200000", "Bebidas", "Beverages"),
    ("50202300", "Bebidas no alcohólicas", "Non alcoholic beverages"),
    ("53100000", "Ropa", "Clothing"),
    ("53102700", "Uniformes", "Uniforms"),
    ("56100000", "Muebles de alojamiento", "Accommodation furniture"),
    ("56101500", "Muebles", "Furniture"),
    ("72100000", "Servicios de mantenimiento y reparación de edificios e instalaciones", "Building and facility maintenance and repair services"),
    ("72101500", "Servicios de apoyo a la construcción", "Building support services"),
    ("72140000", "Servicios de construcción pesada", "Heavy construction services"),
    ("72141000", "Servicios de construcción de carreteras y caminos", "Highway and road construction services"),
    ("76110000", "Servicios de limpieza de edificios", "Building cleaning services"),
    ("76111500", "Servicios de limpieza y mantenimiento general de edificios y oficinas", "General building and office cleaning and maintenance services"),
    ("78100000", "Transporte de correo y carga", "Mail and cargo transport"),
    ("78101800", "Transporte de carga por carretera", "Road cargo transport"),
    ("80110000", "Servicios de recursos humanos", "Human resources services"),
    ("80111600", "Servicios de personal temporal", "Temporary personnel services"),
    ("81110000", "Servicios informáticos", "Computer services"),
    ("81111500", "Ingeniería de software o hardware", "Software or hardware engineering"),
    ("90100000", "Restaurantes y catering", "Restaurants and catering"),
    ("90101600", "Servicios de banquetes y catering", "Banquet and catering services"),
]  # fmt: skip

# UIT (Unidad Impositiva Tributaria) by fiscal year, in soles.
UIT_PE = [(2023, Decimal("4950")), (2024, Decimal("5150")), (2025, Decimal("5350"))]

# Law 30056 (2013): size by annual sales in UIT.
SIZE_RULES_PE = [
    ("micro", Decimal("150")),
    ("small", Decimal("1700")),
    ("medium", Decimal("2300")),
    ("large", None),
]
SIZE_RULES_PE_FROM = "2013-07-03"
SIZE_RULES_PE_BASIS = "Ley N.° 30056, art. 11"

POLICY_PE = {
    "registration_validity_days": 365,
    "reminder_days": [60, 30, 7],
    "set_aside_classes": ["micro", "small"],
    "quota_target_percent": Decimal("40.00"),
    "quota_amber_ratio": Decimal("0.70"),
    "category_match": "any",
    "reserved_lot_no_eligible_bid": "void_and_reopen",
    "currency": "PEN",
}
