"""Write the bundled demo catalogue from the hand-written entries in this file.

Every title and description below was written by the tiltpilot team for the demo; brands are
invented. The script only assigns product ids, checks the hard-case rules and writes the CSVs with
Python's ``csv`` module, so the committed files are byte-identical on every rerun.

Usage::

    python sample_data/build_catalogue.py          # rewrite catalogue.csv and catalogue_small.csv
    python sample_data/build_catalogue.py --check  # exit 1 if the committed files are stale
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COLUMNS = ("product_id", "category", "title", "description")
SMALL_STRIDE = 8


@dataclass(frozen=True)
class Entry:
    """One hand-written product.

    Attributes:
        title: Retailer-style title; variant families share the text before the first comma.
        description: Our own description, paraphrasing rather than repeating the title.
        near: Tag shared by two products that differ in a single attribute (wattage, material,
            corded/cordless ...) but are not one variant family; ``None`` otherwise.
    """

    title: str
    description: str
    near: str | None = None


def P(title: str, description: str, near: str | None = None) -> Entry:  # short on purpose
    """Shorthand that keeps the content tables below readable."""
    return Entry(title, description, near)


CATEGORIES: list[tuple[str, str, list[Entry]]] = []


def category(code: str, name: str, entries: list[Entry]) -> None:
    """Register one category block; ``code`` becomes the product-id prefix."""
    CATEGORIES.append((code, name, entries))


# ---------------------------------------------------------------------------------------------
# Kitchen & Cookware
# ---------------------------------------------------------------------------------------------
category("KIT", "Kitchen & Cookware", [
    P("Ferrowick Pre-Seasoned Cast Iron Skillet, 20 cm",
      "Small 8-inch frying pan poured in one heavy piece and oiled at the foundry, so it can go "
      "straight onto the hob. Just right for a single egg, a toasted sandwich or dry-roasting "
      "spices. Wash by hand, dry over low heat and rub with a drop of oil."),
    P("Ferrowick Pre-Seasoned Cast Iron Skillet, 26 cm",
      "The everyday 10¼-inch size: a solid iron pan with a baked-on seasoning layer that holds "
      "heat well enough to sear two steaks side by side. Two pour lips; safe in the oven and over "
      "a campfire. Hand wash, then dry and oil lightly."),
    P("Ferrowick Pre-Seasoned Cast Iron Skillet, 30 cm",
      "Our biggest 12-inch pan weighs 3.4 kg, so it has an assist grip opposite the long handle. "
      "Cooks a family-size hash, cornbread or a spatchcocked chicken in the oven. Arrives "
      "seasoned; keep it out of the dishwasher."),
    P("Calderra Glide Electric Kettle, 1.7 L, Matte Black",
      "Cordless jug that boils up to seven cups at 3000 W and switches itself off when the water "
      "is ready or the jug leaves its 360° base. Removable limescale filter, twin water windows "
      "and a matte black finish that hides fingerprints."),
    P("Calderra Glide Electric Kettle, 1.7 L, Sage Green",
      "Full-size 1.7-litre water boiler in a soft sage green, sitting on a swivel power base. "
      "3000 W for a fast boil, automatic cut-off, boil-dry protection and a washable scale "
      "filter behind the spout."),
    P("Calderra Glide Electric Kettle, 1.0 L, Cream",
      "Compact one-litre version for small kitchens and offices, finished in warm cream. The "
      "2200 W element is concealed so descaling is easy, with auto shut-off and a lid that flips "
      "open at the press of a button."),
    P("Brindle & Oak Olive Wood Spoon Set, 3 Pieces",
      "Three hand-carved utensils in Mediterranean olive wood: a solid spoon, a slotted spoon and "
      "a flat spatula, each about 30 cm long. Gentle on non-stick pans. Hand wash and oil them now "
      "and then."),
    P("Brindle & Oak Olive Wood Spoon Set, 5 Pieces",
      "Five-piece olive wood utensil kit – the solid spoon, slotted spoon and spatula trio plus a "
      "corner spoon for scraping pan edges and a small tasting spoon. Each piece is cut from a "
      "single branch, so grain and colour vary."),
    P("Vexo StickPro 600 W Hand Blender",
      "Immersion blender with a 600-watt motor and a stainless steel foot, good for soups, baby "
      "food and smoothies. Two speeds, detachable shaft and a dishwasher-safe beaker.",
      near="kit-blender"),
    P("Vexo StickPro 1000 W Hand Blender",
      "A stronger 1000-watt stick blender for crushing ice, nut butters and thick purées. "
      "Variable speed dial plus turbo button, stainless shaft, and it comes with a whisk, a "
      "500 ml chopper bowl and a 700 ml beaker.",
      near="kit-blender"),
    P("Saltmarsh Glass Food Storage Containers, Set of 5",
      "Five borosilicate boxes with snap-lock lids, from 370 ml to 1.5 L. The glass goes from "
      "freezer to oven (lids off) and won't stain with tomato sauce; airtight silicone seals keep "
      "leftovers fresh. Dishwasher safe.",
      near="kit-containers"),
    P("Saltmarsh Plastic Food Storage Containers, Set of 5",
      "Five lightweight BPA-free polypropylene tubs with clip lids, sizes 370 ml to 1.5 L. They "
      "nest inside one another when empty to save cupboard space. Freezer, microwave and "
      "top-rack dishwasher safe; not for the oven.",
      near="kit-containers"),
    P("Vexo Precision Digital Kitchen Scale 5 kg",
      "Flat glass weighing platform that reads to the gram, with tare and millilitre mode."),
    P("Ferrowick Enamelled Dutch Oven 5.2 L, Cherry Red",
      "A round 26 cm casserole of enamel-coated cast iron for braises, stews, no-knead bread and "
      "slow-cooked beans. The heavy, tight-fitting lid has small nubs underneath that drip "
      "condensation back onto the food, and the pale sand interior makes it easy to watch the "
      "browning. Works on gas, electric, ceramic and induction hobs and in the oven up to 250 °C; "
      "the phenolic knob can be swapped for a steel one if you bake hotter. Specs: 5.2 litres, "
      "26 cm diameter, 6.1 kg with lid, glossy red exterior fading to black at the base. Care: "
      "let it cool before washing, avoid metal scourers; it survives the dishwasher, but hand "
      "washing keeps the gloss longer. In the box: pot, lid and two silicone handle grips."),
    P("Calderra Bean-to-Cup Espresso Machine EM-420",
      "Grinds whole beans fresh for every shot with a conical burr mill and 13 grind settings, "
      "then brews at 15 bar. The steam wand froths milk for lattes and flat whites; a 1.8 L "
      "tank and a removable brew unit make cleaning simple."),
    P("Saltmarsh Silicone Baking Mat, Set of 2",
      "Two non-stick tray liners, 40 × 30 cm, that replace parchment for cookies, macarons and "
      "roast vegetables. Heat resistant from −40 °C to 250 °C; rinse and reuse for years."),
    P("Brindle & Oak End-Grain Chopping Board 40 × 30 cm",
      "Thick walnut butcher block built from upturned wood fibres that close back up after each "
      "cut, so it is kind to knife edges. Juice groove on one side, rubber feet underneath. Oil "
      "monthly and never soak it."),
    P("Vexo AirCrisp 5.5 L Air Fryer",
      "Countertop convection cooker that turns out crisp chips, wings and roast vegetables with a "
      "spoon of oil or none at all. 1700 W, a basket that feeds four, eight presets and a "
      "reminder to shake halfway through."),
    P("Ferrowick Stainless Steel Saucepan Set, 3-Piece",
      "Tri-ply pans with an aluminium core sandwiched between 18/10 steel layers, so heat spreads "
      "evenly up the sides instead of scorching in a ring. Suitable for every hob including "
      "induction and oven safe to 260 °C. The glass lids have steam vents and the cast handles "
      "stay cool on the stovetop. What's in the box: 16 cm pan (1.9 L), 18 cm pan (2.8 L) and "
      "20 cm pan (3.8 L), each with its own lid, plus measuring marks etched inside. Dishwasher "
      "safe; a paste of baking soda removes the rainbow tint that high heat can leave."),
    P("Kessel Pro Chef's Knife 20 cm",
      "Eight-inch blade of German steel hardened to 58 HRC and ground to a 15° edge for fine "
      "slicing and rocking chops. Full tang with a riveted black handle."),
    P("Saltmarsh Herb Keeper",
      "Keeps parsley, coriander and basil upright in water, fresh for two weeks in the fridge."),
    P("Vexo Stand Mixer 1200 W, 5 L Bowl",
      "Tilt-head kitchen machine with a brushed stainless bowl, ten speeds and planetary action "
      "that reaches every corner. Includes dough hook, flat beater and balloon whisk, plus a "
      "splash guard with a pouring chute."),
    P("Calderra French Press Coffee Maker 1 L",
      "Eight-cup (34 oz) cafetière with a double-walled stainless body that keeps a brew hot "
      "for an hour and a four-layer mesh plunger that leaves very little sediment."),
    P("Brindle & Oak Salt and Pepper Mill Set",
      "A pair of 20 cm acacia grinders with adjustable ceramic burrs, from powder-fine to coarse. "
      "Ceramic won't corrode, so either one can hold sea salt or peppercorns."),
    P("Ferrowick Non-Stick Wok 32 cm with Lid",
      "Deep, round-sided pan for stir-fries, steaming and deep frying, coated with a PFAS-free "
      "ceramic layer. The flat base sits on induction; tempered glass cover with a steam vent."),
    P("Saltmarsh Reusable Beeswax Wraps, Pack of 6",
      "Cotton sheets coated in beeswax, jojoba oil and tree resin that cling around cheese, half "
      "lemons and bowls once warmed by your hands. Two small, two medium, two large. Wash in cool "
      "water; each lasts around a year."),
    P("Vexo Slow Cooker 6.5 L",
      "Large oval crock that simmers stews, pulled pork and chilli all day while you're out. Low, "
      "high and keep-warm settings, removable stoneware pot and glass lid. Feeds six to eight."),
    P("Kessel Y-Peeler, Twin Pack",
      "Two wide swivel-blade vegetable scrapers, one red and one green, with sharp stainless "
      "edges that glide over carrots, potatoes and butternut squash. A pointed tip on the side "
      "digs out eyes and blemishes; top-rack dishwasher safe."),
    P("Calderra Loft Toaster, 2-Slice, Brushed Steel",
      "Two extra-wide slots that fit bagels and thick sourdough, with six browning levels, reheat "
      "and defrost buttons. 900 W, brushed stainless body and a pull-out crumb tray."),
    P("Calderra Loft Toaster, 4-Slice, Brushed Steel",
      "Four-slot version for busy breakfasts, with separate controls for each pair of slots so two "
      "people can pick different shades. 1800 W, bagel and defrost modes, two crumb trays."),
    P("Saltmarsh Glass Oil Sprayer 200 ml",
      "Refillable mister that spreads olive or rapeseed oil in a fine, even layer over salads, "
      "roasting trays and air-fryer baskets, so you use a fraction of what you would pour. "
      "Thick glass bottle, pump-action trigger, easy-clean nozzle."),
    P("Ferrowick Carbon Steel Crêpe Pan 24 cm",
      "Thin, light pan with very low sides so a spatula slides under pancakes and galettes. The "
      "metal darkens and turns naturally non-stick with use; season before the first cook. "
      "Includes a wooden batter spreader."),
    P("Kessel Magnetic Knife Strip 45 cm",
      "Wall-mounted walnut bar with strong hidden magnets that holds up to eight blades."),
])

# ---------------------------------------------------------------------------------------------
# Footwear
# ---------------------------------------------------------------------------------------------
category("FTW", "Footwear", [
    P("Pacefield Trailrunner 2 Running Shoe, Men's, Size 9, Slate Grey",
      "Off-road trainer for men with 5 mm lugs that bite into mud and loose gravel, a rock plate "
      "under the forefoot and a breathable grey mesh upper. This listing is US men's size 9 "
      "(EU 42)."),
    P("Pacefield Trailrunner 2 Running Shoe, Men's, Size 10, Slate Grey",
      "Men's US 10 (EU 43) of our grippy trail sneaker: deep multidirectional lugs, a protective "
      "forefoot plate and a quick-drying mesh upper in slate. Regular width, 8 mm heel drop."),
    P("Pacefield Trailrunner 2 Running Shoe, Men's, Size 11, Slate Grey",
      "The slate-coloured men's trail runner in US size 11 (EU 45). Sticky rubber outsole for wet "
      "rock, gusseted tongue to keep grit out, 290 g per shoe."),
    P("Pacefield Trailrunner 2 Running Shoe, Women's, Size 7, Coral",
      "Women's fit of the same off-road runner, built on a narrower heel last, in a bright coral "
      "mesh. US women's 7 (EU 38); 8 mm drop, 5 mm lugs and a reflective heel tab."),
    P("Tallow Creek Ridgeback Hiking Boot, Men's, Size 10, Brown",
      "Mid-height men's trekking boot in oiled brown nubuck with a waterproof breathable lining "
      "and a deep-lugged rubber sole. US 10. Padded collar and a stiff heel counter for "
      "multi-day loads."),
    P("Tallow Creek Ridgeback Hiking Boot, Men's, Size 10, Black",
      "The same waterproof men's hiker, US size 10, in all-black leather that looks tidy enough "
      "for the pub after the walk. Speed hooks at the ankle, rubber toe bumper, removable "
      "cushioned footbed."),
    P("Tallow Creek Ridgeback Hiking Boot, Women's, Size 8, Taupe",
      "A women's ankle-height walking boot in soft taupe suede and mesh, shaped on a female "
      "last with a lower-volume forefoot and a slimmer heel. US women's 8 (EU 39). The "
      "AquaVeil™ membrane lining keeps puddles out while letting sweat escape; deep 4 mm lugs "
      "grip on scree and wet grass; a TPU shank gives support under a heavy pack. Weight 520 g "
      "per boot. Care: brush off mud after each walk, let it dry away from radiators and "
      "reproof the upper every few months. Comes with a spare pair of round laces in plum."),
    P("Mossgrove Cloudstep Slipper, Women's, Size 6–7, Oatmeal",
      "Cosy closed-back house shoe in oatmeal knit with a memory foam footbed and a grippy indoor "
      "sole. Fits women's UK 6 to 7."),
    P("Mossgrove Cloudstep Slipper, Women's, Size 8–9, Oatmeal",
      "Knitted oatmeal house shoe for larger feet, women's UK 8 to 9, with the same squashy "
      "memory-foam insole and a non-slip sole for wooden floors."),
    P("Stridewell Kids' Hook-and-Loop Sneaker, Size 11 Little Kid, Navy",
      "Easy-on navy trainer for small children who can't tie laces yet: two touch-fastening "
      "straps, a padded collar and a flexible sole. Little kid size 11."),
    P("Stridewell Kids' Hook-and-Loop Sneaker, Size 2 Big Kid, Navy",
      "Big kid size 2 of the navy strap-fastening trainer, with a reinforced toe cap for "
      "playground scuffs and a wipe-clean synthetic upper. Removable insole, so an orthotic "
      "fits if needed; machine washable at 30 °C."),
    P("Arlo Vance Oxford Dress Shoe in Full-Grain Leather",
      "Closed-lacing formal shoe cut from full-grain calfskin with a stitched welt sole that "
      "can be resoled. Burnished dark brown toe. Leather lining and a stacked leather heel; it "
      "moulds to your foot over the first few wears, so feed it with cream now and then.",
      near="ftw-oxford"),
    P("Arlo Vance Oxford Dress Shoe in Vegan Leather",
      "The same smart closed-lacing shoe made without animal products: a polyurethane upper with "
      "a microfibre lining and a cemented rubber sole. Dark brown, wipe clean with a damp cloth.",
      near="ftw-oxford"),
    P("Stridewell Canvas Low-Top Sneaker",
      "Classic plimsoll that stops below the ankle bone, in white cotton canvas with a "
      "vulcanised gum rubber sole, metal eyelets and a padded insole. Wears in soft and goes "
      "with jeans, shorts or summer dresses.",
      near="ftw-canvas"),
    P("Stridewell Canvas High-Top Sneaker",
      "White cotton canvas baseball boot that laces up over the ankle bone, with a vulcanised "
      "rubber toe cap and cushioned insole. Two sets of laces in the box, white and black.",
      near="ftw-canvas"),
    P("Grevel Steel Toe Safety Work Boot S3",
      "A lace-up site boot for construction, warehousing and farm work, certified to the S3 "
      "standard. A 200-joule steel toecap protects against falling loads and a steel midsole "
      "plate stops nails and glass from coming through the sole. The upper is water-resistant "
      "full-grain leather with a padded collar and a bellows tongue that keeps out dust and "
      "sawdust. The outsole is nitrile rubber, slip-resistant on oily floors and heat-resistant "
      "to 300 °C for short contact; the whole boot is antistatic. Weight 780 g per boot in a UK "
      "9. Wipe clean and treat the leather with wax now and then; replace the boot after a "
      "heavy impact on the toe.",
      near="ftw-safety"),
    P("Grevel Composite Toe Safety Work Boot S3",
      "Metal-free protective boot: the toecap is fibreglass composite and the anti-puncture "
      "layer is woven textile, so it is lighter, doesn't conduct cold and passes through airport "
      "scanners. Water-resistant leather, antistatic, 300 °C heat-resistant sole.",
      near="ftw-safety"),
    P("Arlo Vance Chelsea Boot, Suede",
      "Pull-on ankle boot in tobacco suede with elastic side panels, a heel tab and a stacked "
      "leather heel. Spray with a suede protector before wearing in the rain."),
    P("Mossgrove Sheepskin Moccasin Slipper",
      "Hand-stitched genuine sheepskin house shoe with natural wool inside that keeps feet warm in "
      "winter and cool in summer. Suede outsole for indoor wear only."),
    P("Saltfin Pool Slide Sandal",
      "One-strap moulded slip-on for pool decks, showers and gym changing rooms."),
    P("Tallow Creek Polar Insulated Snow Boot",
      "Rated to −30 °C with 400 g insulation, a removable felt liner and a rubber shell that "
      "comes halfway up the calf. The sole stays flexible in deep cold and has ice-gripping "
      "compound on the lugs. Toggle-drawstring snow collar."),
    P("Pacefield Carbon Racer Marathon Shoe",
      "Race-day runner with a full-length carbon fibre plate embedded in a thick, springy "
      "PEBA-based foam that returns a large share of the energy of each stride. The engineered "
      "upper is almost see-through and weighs next to nothing, and the stack height of 39.5 mm "
      "sits just under the limit allowed in road competitions. Built for racing 10 km to the "
      "marathon rather than daily training: expect the foam to lose its bounce after about "
      "400 km. Heel-to-toe drop 8 mm, weight 195 g in a men's US 9. Unisex sizing; order your "
      "usual size. In the box: the pair, a spare set of flat laces and a drawstring bag."),
    P("Stridewell Leather Boat Shoe",
      "Moccasin-stitched deck shoe in tan leather with a 360° rawhide lace and a siped white "
      "sole that grips wet decks."),
    P("Saltfin Water Shoe with Drainage Ports",
      "Quick-drying aqua footwear for rocky beaches, kayaking and river crossings: stretchy mesh "
      "upper, thin protective rubber sole and holes that let water escape."),
    P("Grevel Orthotic Full-Length Insoles",
      "Firm arch support and a deep heel cup that ease heel pain from plantar fasciitis and "
      "flat feet. A cushioned forefoot pad softens long days standing; cut along the printed "
      "guide lines to fit any shoe."),
    P("Tallow Creek Wax Proofing Balm 100 ml",
      "Beeswax dressing that waterproofs and conditions smooth leather boots."),
    P("Pacefield Cushioned Running Socks, 3 Pairs",
      "Three pairs of padded sports socks with a seamless toe, arch band and ankle tab to stop "
      "rubbing; moisture-wicking blend, fits shoe sizes 6 to 8."),
    P("Saltfin Toe-Post Flip-Flop",
      "Lightweight beach thong with a soft EVA footbed and a rubber strap that won't chafe "
      "between the toes."),
    P("Arlo Vance Cedar Shoe Trees",
      "A pair of aromatic red cedar inserts that keep leather smart and absorb moisture."),
    P("Stridewell Trekking Sandal with Adjustable Straps",
      "Open walking sandal with three quick-release webbing straps, a contoured EVA footbed and a "
      "grippy lugged sole, for summer hikes and river crossings."),
    P("Arlo Vance Penny Loafer, Burgundy Leather",
      "Slip-on moccasin-construction shoe in polished oxblood calfskin with a saddle strap "
      "across the vamp and a leather sole. Unlined for a soft, slipper-like feel in summer; "
      "wear with or without socks."),
    P("Mossgrove Memory Foam Clog Slipper",
      "Backless house shoe with a faux-fur lining and a thick, moulded insole that shapes to your "
      "foot; hard-wearing sole good for a quick trip to the bin."),
])

# ---------------------------------------------------------------------------------------------
# Apparel
# ---------------------------------------------------------------------------------------------
category("APP", "Apparel", [
    P("Threadmere Organic Cotton Crew Tee, Men's, M, White",
      "Plain white men's T-shirt in 180 gsm organic jersey, medium, with a taped neck seam so the "
      "collar keeps its shape wash after wash."),
    P("Threadmere Organic Cotton Crew Tee, Men's, L, White",
      "Men's large in the same heavyweight organic jersey top, bright white with a round neck "
      "and a regular, straight-cut body. Wash at 40 °C with similar colours; expect about 3% "
      "shrinkage the first time."),
    P("Threadmere Organic Cotton Crew Tee, Men's, M, Black",
      "Black short-sleeve men's top in size M, cut from organic 180 gsm jersey that is dyed "
      "after knitting, so the colour stays deep through many washes."),
    P("Threadmere Organic Cotton Crew Tee, Women's, S, Heather Grey",
      "Women's small in a soft marled grey with a slightly shorter body and a relaxed sleeve; "
      "organic cotton jersey, round collar."),
    P("Northloom Merino Crew Neck Jumper, Men's M, Navy",
      "Fine-gauge sweater knitted from extra-fine 17.5-micron merino wool that doesn't itch. "
      "Dark navy, men's medium, ribbed cuffs and hem. Hand wash cool or use a wool cycle, dry "
      "flat."),
    P("Northloom Merino Crew Neck Jumper, Men's M, Oatmeal",
      "Oatmeal-coloured lightweight wool pullover, men's medium, that layers under a blazer or "
      "over a shirt; naturally odour-resistant and breathable. Knitted from extra-fine merino "
      "with ribbed trims; dry flat after washing."),
    P("Northloom Merino Crew Neck Jumper, Men's M, Bottle Green",
      "Deep bottle-green round-neck knit in soft merino, men's size medium; warm without bulk and "
      "machine-washable on a wool programme."),
    P("Kinbury Slim Straight Jeans, W32 L32, Indigo Rinse",
      "Dark indigo denim trousers with a slim thigh and straight leg, waist 32 in, inside leg "
      "32 in. 98% cotton with 2% elastane for stretch."),
    P("Kinbury Slim Straight Jeans, W34 L30, Indigo Rinse",
      "Waist 34 in, short 30 in inside leg: the dark rinse denim with a slim-but-not-skinny "
      "cut, five pockets and a button fly. Rinsed once to soften the raw feel, it will fade "
      "gradually at the knees and pockets."),
    P("Halden & Ives Oxford Shirt, Regular Fit, Pale Blue",
      "Button-down collar shirt in pale blue basketweave cotton with a roomy, traditional body "
      "and a box pleat at the back. Chest pocket, curved hem, mother-of-pearl-effect buttons; "
      "easy to iron."),
    P("Halden & Ives Oxford Shirt, Slim Fit, Pale Blue",
      "Pale blue button-down in woven cotton, tailored closer through the chest and waist with "
      "back darts; shorter tail to wear untucked."),
    P("Quietcoast Packable Down Jacket",
      "Featherweight puffer filled with 700-fill-power responsibly sourced duck down that stuffs "
      "into its own chest pocket. Warmest for its weight, but keep it out of heavy rain.",
      near="app-puffer"),
    P("Quietcoast Packable Synthetic-Fill Jacket",
      "Lightweight insulated coat with a polyester fill that keeps you warm even when damp and "
      "dries fast; packs into its own pocket. Slightly bulkier than the feather version.",
      near="app-puffer"),
    P("Northloom Lambswool Scarf",
      "Brushed woollen wrap in a grey herringbone weave, 180 × 30 cm with fringed ends. Spun "
      "from the first shearing of young sheep, so it is warm and soft, a little more rustic "
      "than fine goat hair; hand wash cool.",
      near="app-scarf"),
    P("Northloom Cashmere Scarf",
      "Ultra-soft muffler woven from pure goat down in a grey herringbone pattern, 180 × 30 cm, "
      "finished in Scotland with fringed ends. Very light and very warm; dry clean or hand wash "
      "and dry flat.",
      near="app-scarf"),
    P("Quietcoast Stormline™ 3-Layer Rain Jacket",
      "A fully waterproof shell for hill walking and wet commutes. The three-layer fabric is "
      "rated 20,000 mm hydrostatic head and 20,000 g/m²/24 h breathability, with every seam "
      "taped. Features: a wired hood that adjusts at the back and both sides, two-way pit zips "
      "to dump heat on climbs, hand pockets set high enough to clear a hipbelt, and "
      "touch-fastening cuffs. Weighs 390 g in size M. Care: machine wash at 30 °C with a "
      "technical cleaner, never fabric softener, and tumble dry low to revive the "
      "water-repellent finish. Packs into a stuff sack (included)."),
    P("Threadmere Heavyweight Pullover Hoodie",
      "Thick 400 gsm loopback cotton sweatshirt with a double-layer hood, a kangaroo front "
      "pocket and ribbed cuffs and hem. Pre-shrunk and garment-dyed in washed black, so it "
      "feels broken-in from the first wear."),
    P("Kinbury Stretch Chino Trousers",
      "Smart-casual cotton twill trousers in khaki with a little stretch, slant pockets and a "
      "tapered ankle. Wear to the office or the weekend. Mid-rise with belt loops and a hidden "
      "zip coin pocket."),
    P("Quietcoast Polar Fleece Half-Zip",
      "Midlayer pullover in recycled 200-weight fleece that traps warmth under a shell on cold "
      "walks. A stand-up collar zips high against the wind, and a zipped chest pocket holds a "
      "phone or map; dries quickly after a wash."),
    P("Threadmere High-Waist Leggings with Pockets",
      "Squat-proof sports tights with a wide waistband and deep side pockets that hold a phone "
      "while you run; sweat-wicking, four-way stretch."),
    P("Threadmere Everyday Ankle Socks, 5 Pairs",
      "Five pairs of combed-cotton short socks in mixed neutrals, UK 7–11."),
    P("Northloom Ribbed Beanie Hat",
      "Chunky turn-up winter cap in soft merino-blend rib knit, one size."),
    P("Quietcoast Quick-Dry Swim Shorts",
      "Mid-length board trunks with a mesh lining, drawcord waist and a zipped back pocket for "
      "keys; recycled polyester that dries on the walk home from the beach."),
    P("Halden & Ives Linen Summer Shirt",
      "Breezy short-sleeve camp-collar shirt in washed European flax, sand-coloured and cut "
      "loose, so air moves around you on hot days. Coconut buttons and a straight hem made for "
      "wearing untucked; it gets softer with every wash."),
    P("Halden & Ives Brushed Cotton Pyjama Set",
      "Two-piece sleepwear in warm brushed flannel check: a button-front top with a chest pocket "
      "and drawstring bottoms. Soft from the first wash."),
    P("Threadmere Medium-Support Sports Bra",
      "Racerback training top with removable cups and a wide elastic underband that keeps "
      "things in place through gym circuits, cycling and yoga. Brushed, sweat-wicking fabric "
      "and flat seams that won't rub."),
    P("Quietcoast Double-Breasted Trench Coat",
      "Belted mac in water-repellent cotton gabardine with storm flap, epaulettes and a check "
      "lining. Knee length, stone colour. Raglan sleeves leave room for a jumper, and the belt "
      "can be tied or buckled."),
    P("Northloom Touchscreen Knit Gloves",
      "Warm stretch-knit gloves with conductive yarn woven into the thumb and first two "
      "fingertips, so you can answer calls and scroll maps without taking them off. One size "
      "fits most hands; grippy dots on the palm."),
    P("Kinbury Full-Grain Leather Belt 35 mm",
      "Cut from a single strip of vegetable-tanned hide in dark brown, 35 mm wide, with a solid "
      "brass buckle and hand-burnished edges. It will mellow and darken with wear; sizes for "
      "30–40 in waists."),
    P("Northloom Chunky Cable-Knit Cardigan",
      "Oversized button-front knit in cream wool blend with cable panels, shawl collar and two "
      "patch pockets. Heavy and cosy enough to wear instead of a jacket on mild autumn days; "
      "hand wash."),
    P("Halden & Ives Piqué Polo Shirt",
      "Cotton piqué short-sleeve top with a two-button placket and a ribbed collar; navy."),
    P("Quietcoast Wool-Blend Overcoat",
      "A tailored single-breasted coat in charcoal, cut from a 70% wool, 20% polyamide, 10% "
      "cashmere cloth that is dense enough to block wind yet drapes cleanly over a suit jacket. "
      "Notch lapels, two flap pockets, an inside pocket sized for a phone and a full satin "
      "lining that slides on over knitwear. Falls to just above the knee. Dry clean only; hang "
      "on a broad hanger and brush after wearing to keep the nap smooth. Regular fit: if you "
      "plan to layer a thick jumper underneath, choose your usual size; for a close fit over a "
      "shirt, size down."),
])

# ---------------------------------------------------------------------------------------------
# Home Furniture
# ---------------------------------------------------------------------------------------------
category("FUR", "Home Furniture", [
    P("Korvo Lund Sofa, 2-Seater, Charcoal",
      "Compact two-person settee, 156 cm wide, upholstered in a hard-wearing charcoal weave "
      "with feather-wrapped foam seat cushions and solid beech legs. Fits snugly into a flat or "
      "a reading nook; removable, dry-cleanable covers."),
    P("Korvo Lund Sofa, 3-Seater, Charcoal",
      "Three-person couch in dark grey woven fabric, 214 cm wide and 92 cm deep, with reversible "
      "seat cushions, loose back pillows and tapered beech feet. Arrives in two boxes; the legs "
      "screw on."),
    P("Korvo Lund Sofa, 3-Seater, Mustard Velvet",
      "The 214 cm three-person couch dressed in a plush mustard-yellow velvet that catches the "
      "light. Cushions are foam wrapped in feather and fibre, so plump them regularly. The "
      "velvet is treated against stains and can be spot-cleaned with a damp cloth and mild soap. "
      "Dimensions: W 214 × D 92 × H 84 cm, seat height 45 cm. Frame of kiln-dried pine and "
      "plywood, guaranteed for ten years. Legs in oiled beech are packed in the zip pocket under "
      "the deck. Delivered to the room of your choice; fits through a 76 cm doorway."),
    P("Fenwright Open Bookcase, 80 × 180 cm, Natural Oak",
      "Tall five-shelf storage unit in oak veneer, 80 cm wide and 180 cm high, with adjustable "
      "shelves and a wall-fixing kit. Each shelf carries 25 kg of books, and the open back lets "
      "you run cables to a speaker."),
    P("Fenwright Open Bookcase, 80 × 106 cm, Natural Oak",
      "Half-height oak-veneer shelving unit, 106 cm tall, with three levels for books and "
      "baskets; the top doubles as a display surface."),
    P("Fenwright Open Bookcase, 80 × 180 cm, White",
      "Full-height five-tier shelving in matt white lacquer, 180 cm tall, that disappears "
      "against a pale wall. Shelves move in 32 mm steps."),
    P("Ashby Lane Round Dining Table, 90 cm",
      "Pedestal table in solid ash that seats two comfortably or four at a squeeze; 90 cm "
      "across, 75 cm high. Finished in a hard-wax oil that resists water rings; ideal for a "
      "small kitchen or breakfast corner."),
    P("Ashby Lane Round Dining Table, 120 cm",
      "Four-to-six-person round table in solid ash on a single sculpted pedestal, 120 cm in "
      "diameter, so nobody bangs knees on a corner leg."),
    P("Nestmark Upholstered Bed Frame, Double, Grey",
      "Padded headboard bed in grey linen-look fabric with a sprung slatted base, for a "
      "standard double mattress (135 × 190 cm). Under-bed clearance of 15 cm leaves room for "
      "storage boxes; assembly takes about 40 minutes."),
    P("Nestmark Upholstered Bed Frame, King, Grey",
      "Grey fabric bed with a tall buttoned headboard and sprung slats, sized for a king-size "
      "150 × 200 cm mattress; centre support leg included."),
    P("Ashby Lane Solid Oak Coffee Table",
      "Low lounge table made entirely of solid European oak boards, 110 × 60 cm, with a lower "
      "shelf; scratches can be sanded out and re-oiled.",
      near="fur-coffee"),
    P("Ashby Lane Oak Veneer Coffee Table",
      "The 110 × 60 cm lounge table with a lower shelf, made of engineered board faced with a "
      "thin oak veneer: lighter and cheaper than solid wood, but not re-sandable.",
      near="fur-coffee"),
    P("Fenwright Single-Motor Electric Standing Desk",
      "Sit-stand workstation with one motor in the frame, lifting 70 kg from 72 to 120 cm at 25 "
      "mm per second. Three memory presets; 140 × 70 cm top.",
      near="fur-desk"),
    P("Fenwright Dual-Motor Electric Standing Desk",
      "Height-adjustable work table with a motor in each leg for a steadier, quieter lift of up "
      "to 120 kg at 38 mm per second, 62–127 cm range. 140 × 70 cm top, four memory presets, "
      "anti-collision sensor.",
      near="fur-desk"),
    P("Korvo Mesh Ergonomic Office Chair",
      "Breathable mesh back with adjustable lumbar support, 3D armrests, seat-depth slider and a "
      "synchro tilt that locks in four positions. For users up to 130 kg."),
    P("Nestmark Low TV Stand 160 cm",
      "Media unit with two push-to-open doors, an open middle bay for a console and cable holes "
      "at the back; holds screens up to 65 in."),
    P("Nestmark Two-Drawer Bedside Table",
      "Small nightstand in white and oak with two soft-close drawers and a cable cut-out for "
      "charging your phone. 45 × 40 × 55 cm, with metal runners and rounded corners that are "
      "kind to shins in the dark."),
    P("Ashby Lane Hallway Shoe Bench",
      "Entryway seat with a padded top and two slatted racks below for up to eight pairs. The "
      "seat is at a comfortable height for putting boots on; 104 cm long, wipe-clean faux "
      "leather top."),
    P("Korvo Set of 2 Bar Stools, 65 cm Seat",
      "Two counter-height chairs with walnut-stained seats, black steel frames and footrests, "
      "for kitchen islands around 90 cm high. The seats swivel, and felt pads under the feet "
      "protect wooden floors."),
    P("Ashby Lane Bentwood Rocking Chair",
      "Curved beech frame with a woven cane seat and back; a gentle rocker for a reading "
      "corner. The steam-bent frame is light enough to carry from room to room, and a seat "
      "cushion can be tied on."),
    P("Fenwright Three-Door Wardrobe with Mirror",
      "A large clothes cupboard, W 150 × D 58 × H 200 cm, in white with a full-length mirror on "
      "the centre door. Inside: two hanging rails, five adjustable shelves and two drawers "
      "behind the left door. Hinges are soft-close. Made of 16 mm melamine-faced chipboard with "
      "an 18 mm top. Self-assembly: allow three to four hours with two people; all fixings, a "
      "hex key and an anti-tip strap are in the box (4 packages, 118 kg). Suitable for ceiling "
      "heights above 210 cm. Wipe with a dry or damp cloth; avoid solvent cleaners."),
    P("Nestmark Six-Drawer Chest",
      "Wide dresser with six deep drawers on metal runners, 120 cm long, in smoky oak effect. "
      "Recessed handles keep the front flat, and an anti-tip kit is supplied for fixing it to "
      "the wall."),
    P("Ashby Lane Narrow Console Table",
      "Slim hall table just 30 cm deep, with a hairpin steel base and a mango-wood top. Fits "
      "behind a sofa or in a tight hallway, with room for keys, post and a lamp."),
    P("Korvo Fold-Out Sofa Bed",
      "Click-clack two-seater that flattens into a 120 × 190 cm guest bed; grey fabric, storage "
      "space under the seat. Converts in one movement without removing the cushions; "
      "pocket-sprung seat for everyday sitting."),
    P("Korvo Chunky Knit Pouffe",
      "Round cotton-knit footstool filled with polystyrene beads; doubles as extra seating."),
    P("Fenwright Floating Wall Shelf, Set of 3",
      "Trio of oak-effect ledges (40, 60 and 80 cm) with hidden brackets."),
    P("Nestmark Cabin Bunk Bed with Ladder",
      "Two-level children's bed in solid pine for two 90 × 190 cm mattresses, with full-length "
      "guard rails and a ladder that fixes to either end. Converts into two single beds."),
    P("Ashby Lane Freestanding Coat Stand",
      "Tree-shaped hall rack in black-stained beech with eight rounded hooks at two heights, "
      "for coats, bags and hats, and a weighted base that keeps it steady when it is fully "
      "loaded. 178 cm tall; assembles without tools."),
    P("Korvo Velvet Accent Armchair",
      "Deep occasional chair with a channel-tufted back, emerald velvet upholstery and brass-"
      "capped legs; looks at home in a bedroom or living room corner."),
    P("Fenwright Four-Door Sideboard",
      "Long low cabinet, 180 cm, with slatted oak fronts, internal shelves and a cut-out for "
      "cables. Good for crockery or a record collection."),
    P("Nestmark Giant Bean Bag Chair",
      "Huge lounger stuffed with shredded memory foam, with a washable cord cover."),
])

# ---------------------------------------------------------------------------------------------
# Electronics Accessories
# ---------------------------------------------------------------------------------------------
category("ELE", "Electronics Accessories", [
    P("Voltrine PowerCore Power Bank, 10000 mAh, White",
      "Pocket-size portable battery in white that refills a typical phone about twice; one USB-C "
      "port in and out at 20 W plus a USB-A port."),
    P("Voltrine PowerCore Power Bank, 20000 mAh, White",
      "Double-capacity white portable charger holding 20000 mAh, which is around four top-ups "
      "for a typical phone or one full charge for a small laptop. Two USB-C ports deliver up to "
      "30 W each and a USB-A port handles older devices, so three things can charge at once. A "
      "small display shows the remaining charge in percent rather than four vague dots. It "
      "refills itself in about three and a half hours from a 30 W adapter. Weighs 350 g, "
      "measures 15 × 7 × 2.6 cm and is within the cabin-luggage limit on most airlines. In the "
      "box: power bank, 60 cm USB-C cable, travel pouch."),
    P("Voltrine PowerCore Power Bank, 10000 mAh, Black",
      "Slim black backup battery with 10000 mAh, enough for two phone charges on a long day out; "
      "20 W USB-C and USB-A outputs, airline-safe."),
    P("Kablo Braided USB-C to USB-C Cable, 1 m",
      "Nylon-jacketed charging lead with a type-C plug at each end, one metre long; carries 60 "
      "W and USB 2.0 data. Aluminium plug housings and a strain-relief collar stop fraying "
      "where most leads fail."),
    P("Kablo Braided USB-C to USB-C Cable, 2 m",
      "Two-metre woven lead with type-C on both ends, long enough to reach the sofa; 60 W power "
      "delivery and 480 Mbps data. Comes with a hook-and-loop tie to keep it coiled in a bag."),
    P("Kablo Braided USB-C to USB-C Cable, 3 m",
      "Extra-long 3 m fabric-covered type-C to type-C cord for beds and car back seats; "
      "60 W, tested to 25,000 bends."),
    P("Pylonic Rapid microSD Card, 128 GB",
      "Tiny memory card with 128 gigabytes for phones, drones and handheld consoles; reads at up "
      "to 170 MB/s, V30 for 4K video. SD adapter included."),
    P("Pylonic Rapid microSD Card, 256 GB",
      "256-gigabyte flash card for action cameras and game handhelds: A2 app performance, V30 "
      "video speed class, full-size adapter in the pack. Reads at 170 MB/s; protected against "
      "water, heat and magnets."),
    P("Pylonic Rapid microSD Card, 512 GB",
      "Half-terabyte micro memory card for long 4K recordings and big game libraries. "
      "170 MB/s read, 90 MB/s write; waterproof, shockproof and X-ray proof."),
    P("Hushtone Arc Wireless Earbuds, Graphite",
      "True-wireless in-ear buds in dark graphite with active noise cancelling, 8 h of playback "
      "per charge and 32 h with the pocket case. Touch controls on each bud; the case charges "
      "over USB-C or on a wireless pad."),
    P("Hushtone Arc Wireless Earbuds, Ivory",
      "The noise-cancelling true-wireless buds in an off-white ivory finish; three sizes of "
      "silicone tips, IPX4 sweat resistance, wireless case charging. Transparency mode lets you "
      "hear station announcements without taking them out."),
    P("Voltrine 30 W USB-C Wall Charger",
      "Small 30-watt single-port plug adapter for phones and tablets; charges most phones to "
      "50% in 30 minutes. Folding pins. Not enough for a laptop, but fine for a handheld "
      "console.",
      near="ele-charger"),
    P("Voltrine 65 W USB-C Wall Charger",
      "Higher-output 65-watt single-port GaN mains adapter that can power a 13-inch laptop as "
      "well as a phone or tablet; folding pins. Gallium nitride keeps it the size of an old "
      "phone brick; it negotiates the right power for each device automatically.",
      near="ele-charger"),
    P("Hushtone Studio 70 Wired Over-Ear Headphones",
      "Closed-back monitoring cans with 40 mm drivers and a detachable 3 m coiled cable with a "
      "6.35 mm adapter, for mixing and recording. No battery to charge.",
      near="ele-headphones"),
    P("Hushtone Studio 70 Bluetooth Over-Ear Headphones",
      "Closed-back cans with the same 40 mm drivers but no cable needed: Bluetooth 5.3, 45 hours "
      "per charge, USB-C fast charging and a 3.5 mm jack as backup.",
      near="ele-headphones"),
    P("Linqo 7-in-1 USB-C Hub",
      "Turns one type-C port on a laptop into seven connections, so a thin machine can drive a "
      "monitor, read camera cards and charge at the same time. Full spec list, for the "
      "avoidance of doubt: one HDMI port, \"4K at 60 Hz\" with a compatible source, otherwise 4K "
      "at 30 Hz; two USB-A 3.2 Gen 1 ports, 5 Gbps each; one USB-C data port, 5 Gbps, no video; "
      "SD and microSD card slots, UHS-I, 104 MB/s, usable at the same time; and one USB-C power "
      "delivery input, 100 W, passing up to 85 W to the laptop. Aluminium shell, 15 cm tethered "
      "lead; fits 13\" to 16\" laptops. No drivers needed."),
    P("Linqo Adjustable Aluminium Laptop Stand",
      "Raises a notebook screen to eye level with six height steps; folds flat for a bag. Suits "
      "10 to 17 inch notebooks; silicone pads stop slipping, and the open frame helps the "
      "machine stay cool."),
    P("Linqo Silent Wireless Mouse",
      "Compact cordless pointer with quiet clicks, 2.4 GHz receiver and Bluetooth, and an AA "
      "battery that lasts up to 18 months. Switch between two computers with a button under the "
      "scroll wheel."),
    P("Linqo Hot-Swap Mechanical Keyboard, 75%",
      "A compact 84-key keyboard in the 75% layout, keeping the function row and arrow keys but "
      "dropping the number pad to free up desk space for your mouse. Switches are hot-swappable, "
      "so you can pull them out and try others without soldering; it ships with linear red "
      "switches (45 g actuation) and double-shot PBT keycaps that won't shine. Connects three "
      "ways: USB-C cable, 2.4 GHz dongle or Bluetooth to three devices. 4000 mAh battery, about "
      "200 hours with the white backlight off. Gasket-mounted plate and foam layers soften the "
      "sound. In the box: board, cable, receiver, keycap and switch pullers, two spare "
      "switches. Works with all major desktop operating systems."),
    P("Linqo 1080p Webcam with Privacy Shutter",
      "Full HD video camera for video calls with autofocus, dual microphones and a clip that "
      "sits on any monitor. A sliding cover blocks the lens when you're not on a call; "
      "plug-and-play over USB, no driver needed."),
    P("Hushtone Pocket Bluetooth Speaker",
      "Waterproof IP67 wireless speaker the size of a soda can, 12 hours of play, clips to a "
      "bag. Pair two for stereo; a built-in microphone turns it into a speakerphone for calls."),
    P("Voltrine 6-Outlet Surge Protector Strip",
      "Extension block with six mains sockets, two USB ports, 1,050 joules of surge protection "
      "and a 2 m lead. Switched sockets spaced wide enough for bulky plugs; keyhole slots for "
      "mounting under a desk."),
    P("Voltrine Smart Plug with Energy Monitor",
      "Wi-Fi socket adapter that switches appliances on schedules and shows how many kWh they "
      "use; works with major voice assistants. Set an away-from-home mode that switches lamps on "
      "and off at random."),
    P("Pylonic Portable SSD 1 TB",
      "Pocket solid-state drive with 1050 MB/s transfers over USB-C 3.2 Gen 2; rubberised, "
      "survives 2 m drops. Smaller than a credit card; includes USB-C to C and C to A cables."),
    P("Kablo Cat 6 Ethernet Cable, Flat, 10 m",
      "Flat network lead that slips under doors and carpets; gigabit speeds, snagless plugs."),
    P("Linqo Neoprene Laptop Sleeve 14 in",
      "Padded zip-around case for 14-inch notebooks, with a soft fleece lining that prevents "
      "scratches and a flat front pocket for a charger, mouse and cables. Slides into a "
      "backpack or tote; splash-resistant."),
    P("Voltrine 15 W Wireless Charging Pad",
      "Flat inductive charger you simply lay your phone on; tops up compatible handsets at up "
      "to 15 W, even through most cases under 5 mm. Soft-glow status light that won't keep you "
      "awake, and a non-slip rubber ring."),
    P("Kablo Magnetic Cable Clips, 6 Pack",
      "Adhesive desk holders that stop leads sliding off the edge."),
    P("Voltrine Universal Travel Adapter",
      "One plug converter for 150+ countries (UK, EU, US, AU sliders) with four USB ports and a "
      "replaceable fuse. Not a voltage converter."),
    P("Linqo Active Stylus for Tablets",
      "Fine-tip digital pen with palm rejection and tilt shading; charges over USB-C."),
    P("Voltrine Magnetic Car Vent Phone Mount",
      "Clips to an air vent and holds a phone with strong magnets, rotating 360° for portrait "
      "or landscape maps. A thin metal plate sticks inside your case for phones without "
      "built-in magnets."),
    P("Linqo LED Ring Light 26 cm with Tripod",
      "Round selfie lamp with three colour temperatures, ten brightness levels and a 160 cm "
      "extending stand with a phone holder. Bluetooth remote shutter included for taking photos "
      "from a distance."),
])

# ---------------------------------------------------------------------------------------------
# Beauty & Personal Care
# ---------------------------------------------------------------------------------------------
category("BEA", "Beauty & Personal Care", [
    P("Maren & Sol Daily Mineral Sunscreen, SPF 30, 50 ml",
      "Lightweight zinc-oxide face lotion with protection factor 30 against UVB plus a UVA "
      "rating, tinted to avoid a white cast. A 50 ml tube for everyday city wear under makeup."),
    P("Maren & Sol Daily Mineral Sunscreen, SPF 50, 50 ml",
      "Factor 50 zinc-oxide face lotion for beach days, ski slopes and very fair skin; sheer "
      "tint, no added fragrance, 50 ml pocket tube. Non-comedogenic and safe for sensitive "
      "skin; reapply every two hours in strong sun."),
    P("Maren & Sol Daily Mineral Sunscreen, SPF 50, 100 ml",
      "The factor 50 mineral formula in a larger 100 ml pump bottle for face and body, water "
      "resistant for 40 minutes. Reapply after swimming and towelling."),
    P("Clearbrook Botanics Shampoo, Dry & Damaged Hair, 250 ml",
      "Sulphate-free hair wash with oat protein and argan oil that softens brittle, "
      "colour-treated or heat-styled lengths. 250 ml bottle. Lathers gently; follow with the "
      "matching conditioner on the ends."),
    P("Clearbrook Botanics Shampoo, Oily Scalp, 250 ml",
      "Clarifying wash for greasy roots, with tea tree and green clay to cut excess sebum "
      "without stripping the ends. 250 ml."),
    P("Clearbrook Botanics Shampoo, Dry & Damaged Hair, 1 L Refill",
      "One-litre refill pouch of the oat and argan repair wash for brittle hair; decant into your "
      "bottle and recycle the pouch."),
    P("Petalwick Satin Lipstick, Shade 04 Rosewood",
      "Creamy lip colour in a muted dusty pink-brown, shade 04, that reads as your lips but "
      "better; a soft satin sheen, shea butter and vitamin E keep it comfortable all day "
      "without drying."),
    P("Petalwick Satin Lipstick, Shade 11 Brick Red",
      "Warm orange-based red lip colour with a satin finish and shea butter, shade 11; "
      "flattering on olive and deep skin tones."),
    P("Petalwick Skin Tint Foundation, Shade 2N Light",
      "Sheer, dewy base with light coverage for fair-to-light complexions with neutral "
      "undertones; 30 ml, SPF 15. Blend with fingertips for a your-skin-but-better finish that "
      "lets freckles show through."),
    P("Petalwick Skin Tint Foundation, Shade 5W Medium Deep",
      "Sheer glowy complexion fluid for medium-deep skin with warm golden undertones; buildable "
      "light coverage, 30 ml with SPF 15. Contains squalane, so it feels like skincare; shake "
      "before use."),
    P("Vireo Ionic Hair Dryer 1800 W",
      "Mid-power 1800-watt blow dryer for short and fine hair, with ionic conditioning, three "
      "heat and two speed settings, a cool shot and a narrow concentrator nozzle; light enough "
      "for travel.",
      near="bea-dryer"),
    P("Vireo Ionic Hair Dryer 2400 W",
      "Salon-strength 2400-watt blow dryer for long, thick or curly hair that otherwise takes "
      "ages, with ionic frizz control, cool shot, a diffuser and a 3 m cable.",
      near="bea-dryer"),
    P("Vireo Corded Hair Clipper Kit",
      "Mains-powered clipper with a strong pivot motor that never runs flat mid-cut, eight "
      "guide combs from 3 to 25 mm and a 2.5 m lead.",
      near="bea-clipper"),
    P("Vireo Cordless Hair Clipper Kit",
      "Rechargeable version of our clipper kit: 90 minutes of runtime from a 2-hour charge, can "
      "also run plugged in; eight guide combs from 3 to 25 mm.",
      near="bea-clipper"),
    P("Maren & Sol Gentle Gel Cleanser 150 ml",
      "Low-foam face wash with amino acids and glycerin that removes sunscreen and grime without "
      "the tight feeling; for normal to oily skin."),
    P("Maren & Sol Retinol 0.3% Night Serum",
      "A beginner-strength vitamin A treatment that smooths rough texture, fades post-breakout "
      "marks and softens fine lines while you sleep. The 0.3% retinol is encapsulated so it "
      "releases slowly, and it sits in a squalane and niacinamide base that calms the dryness "
      "new users often get. How to use: start with two evenings a week on clean, dry skin, one "
      "pump for the whole face, then build up to nightly over a month if your skin is "
      "comfortable. Avoid the eye area and don't combine with exfoliating acids on the same "
      "night. Always wear sunscreen the next morning. Not for use during pregnancy. 30 ml "
      "airless pump, lasts about three months."),
    P("Maren & Sol Hyaluronic Acid Hydrating Serum 30 ml",
      "Water-light drops with three molecular weights of moisture-binding acid plus panthenol; "
      "pat onto damp skin under cream. Plumps dehydrated skin within minutes and suits every "
      "skin type, even oily."),
    P("Maren & Sol Barrier Repair Crème 50 ml",
      "Rich ceramide moisturiser for dry, tight or reactive skin."),
    P("Clearbrook Botanics Shea Body Lotion 400 ml",
      "Fast-absorbing moisturiser with shea butter and a light scent of fig; non-greasy, so you "
      "can dress right away. Pump bottle. Suitable for the whole family; dermatologically "
      "tested."),
    P("Clearbrook Botanics Intensive Hand Cream 75 ml",
      "Thick urea balm for cracked knuckles and cuticles, absorbs quickly."),
    P("Lumen & Lye Natural Deodorant, Cedar & Sage",
      "Aluminium-free underarm stick with arrowroot and magnesium to absorb wetness and keep "
      "odour away for around 24 hours; woody herbal scent, no baking soda."),
    P("Lumen & Lye Cold-Process Olive Oil Soap Bar",
      "Handmade bar cured for six weeks, rich in glycerin; unscented and gentle for sensitive "
      "skin. 120 g. Keep it on a draining dish between uses and it will last for weeks; wrapped "
      "in paper, no plastic."),
    P("Vireo SonicClean™ Electric Toothbrush",
      "A rechargeable sonic brush that makes about 31,000 strokes a minute to loosen plaque "
      "along the gumline more effectively than brushing by hand. Four modes – clean, white, gum "
      "care and sensitive – and a two-minute timer that pauses every 30 seconds to tell you to "
      "move to the next quarter of your mouth. A pressure sensor flashes red if you press too "
      "hard. One charge on the inductive stand lasts up to three weeks of twice-daily use. In "
      "the box: handle, two brush heads, charging base and a travel case. Replace heads every "
      "three months; heads are sold in packs of four."),
    P("Vireo Water Flosser, Cordless",
      "Rechargeable oral irrigator that cleans between teeth and around braces with a pulsing "
      "jet; three pressure modes, 300 ml tank. Charges by USB and folds into a travel pouch; "
      "the nozzles rotate 360° to reach back teeth."),
    P("Lumen & Lye Safety Razor with 10 Blades",
      "Chrome double-edge shaver with a long, textured handle for grip, plus ten stainless "
      "replacement edges. Plastic-free and cheap to run. Let the weight of the head do the "
      "work, at about 30°, for a close shave with less irritation."),
    P("Lumen & Lye Shaving Soap in Wooden Bowl",
      "Tallow-free lather puck in a refillable beech bowl, sandalwood scent."),
    P("Petalwick Eau de Parfum, Fleur de Nuit, 50 ml",
      "Evening fragrance with top notes of bergamot and pink pepper, a heart of jasmine and "
      "tuberose, and a base of vanilla, amber and sandalwood. Long-lasting."),
    P("Petalwick Chip-Resistant Nail Polish, Sea Glass",
      "Pale blue-green lacquer with a wide, flat brush that covers each nail in one stroke. Two "
      "coats give full opacity and last up to seven days without chipping; free from "
      "formaldehyde, toluene and DBP."),
    P("Clearbrook Botanics Bamboo Cotton Rounds, 3 × 100",
      "Soft, double-sided pads made from a bamboo and organic cotton blend, for taking off "
      "makeup and sweeping on toner. Three packs of 100 in a paper wrap – no plastic; "
      "compostable after use."),
    P("Clearbrook Botanics Argan Oil Hair Mask 200 ml",
      "A weekly deep-conditioning treatment for dry, frizzy or colour-treated hair, blending "
      "cold-pressed argan oil, shea butter, hydrolysed keratin and panthenol. Apply to clean, "
      "towel-dried lengths, comb through, leave for 5 to 10 minutes (or overnight for very "
      "coarse hair) and rinse well. Ingredients of note, for the curious: aqua, cetearyl "
      "alcohol, \"Argania spinosa\" kernel oil, butyrospermum parkii butter, behentrimonium "
      "chloride, hydrolysed keratin, panthenol, parfum. Free from silicones and sulphates. "
      "Vegan formula, not tested on animals. The 200 ml tub makes about 15 treatments on "
      "shoulder-length hair, and the jar is recyclable once rinsed."),
    P("Lumen & Lye Mineral Bath Salts, Lavender, 1 kg",
      "Coarse blend of Epsom and Dead Sea salt scented with real lavender oil, for a long soak "
      "after a hard run or a stressful day. Dissolve two handfuls in a warm bath; resealable "
      "kilo pouch."),
    P("Petalwick 8-Piece Makeup Brush Set",
      "Eight vegan synthetic brushes – foundation, powder, blush, contour, two eyeshadow, "
      "blending and an angled brow brush – with soft, dense bristles that don't shed. Comes "
      "rolled up in a faux-leather case for travel."),
    P("Maren & Sol Tinted Lip Balm SPF 15",
      "Moisturising stick with a sheer berry tint and SPF 15 to stop lips burning on ski trips "
      "and beach days; shea butter and jojoba, glides on without a mirror."),
])

# ---------------------------------------------------------------------------------------------
# Sports & Outdoors
# ---------------------------------------------------------------------------------------------
category("SPO", "Sports & Outdoors", [
    P("Brookstride Hex Dumbbell, 5 kg",
      "Rubber-coated free weight with six flat sides so it won't roll away; knurled chrome "
      "grip. Sold singly, 5 kilograms. Ideal for lateral raises, curls and rehab work at home."),
    P("Brookstride Hex Dumbbell, 10 kg",
      "Single 10-kilogram hexagonal hand weight with a rubber-encased head that protects "
      "floors, and a textured steel handle. Sold singly, so you can build up a pair or a set as "
      "you get stronger."),
    P("Brookstride Hex Dumbbell, 15 kg",
      "Heavy 15 kg hand weight with flat rubber ends for renegade rows and push-ups; knurled "
      "chrome handle, sold as one."),
    P("Summitra Trailhead Backpack, 28 L, Moss",
      "Daypack in moss green with a ventilated mesh back panel, hip fins, hydration sleeve and a "
      "stowaway rain cover. 28 litres, 980 g."),
    P("Summitra Trailhead Backpack, 38 L, Moss",
      "A roomier 38-litre hiking pack for overnight huts: padded hipbelt with pockets, adjustable "
      "back length, side stretch pockets, rain cover; moss green."),
    P("Summitra Trailhead Backpack, 28 L, Rust",
      "Rust-orange 28-litre day rucksack with a trampoline mesh back that keeps you cool, "
      "front stretch pocket for a jacket and a built-in rain cover."),
    P("Brookstride Yoga Mat, 4 mm, Lilac",
      "Natural rubber exercise mat with a polyurethane top layer for grip in sweaty flows; "
      "4 mm thin for balance poses, lilac, 183 × 61 cm."),
    P("Brookstride Yoga Mat, 6 mm, Lilac",
      "Extra-cushioned 6 mm lilac mat for sensitive knees and floor work, natural rubber with a "
      "grippy polyurethane surface, 183 × 61 cm."),
    P("Summitra Ridge Tent, 2-Person",
      "Freestanding backpacking shelter for two with two doors, two porches and a 1.6 kg packed "
      "weight; 3,000 mm flysheet. Pitches inner-first in about five minutes; fits two mats side "
      "by side plus small bags at the feet."),
    P("Summitra Ridge Tent, 3-Person",
      "The three-berth version of our freestanding backpacking shelter, with a wider inner "
      "(180 cm), two doors and porches and a 2.1 kg trail weight. The flysheet is "
      "silicone-coated ripstop nylon with a 3,000 mm hydrostatic head; the floor is 5,000 mm. "
      "Colour-coded aluminium poles and clips make pitching quick, and the fly and inner can be "
      "pitched together in the rain. Packed size 45 × 16 cm. In the bag: inner, fly, two poles, "
      "14 stakes, guylines, a pole repair sleeve and a stuff sack with compression straps. Dry "
      "fully before storing."),
    P("Granitefox Dynamic Climbing Rope 9.8 mm × 60 m",
      "Single rope for the crag and the climbing wall, 60 metres, with a middle mark and a dry "
      "sheath treatment. A good all-round thickness: durable for top-roping, supple for "
      "leading.",
      near="spo-rope"),
    P("Granitefox Dynamic Climbing Rope 9.8 mm × 70 m",
      "Single rope with a longer 70 metre length for modern sport routes where lowering off a "
      "35 m pitch needs the extra; middle mark, dry-treated sheath.",
      near="spo-rope"),
    P("Cinderpeak Down Sleeping Bag, Comfort −5 °C",
      "Mummy-shaped bag filled with 650 g of 700-fill goose down; packs tiny (1.1 kg) for "
      "cold, dry nights in the mountains.",
      near="spo-sleepingbag"),
    P("Cinderpeak Synthetic Sleeping Bag, Comfort −5 °C",
      "Mummy-shaped bag with hollow-fibre polyester insulation that still warms when damp; "
      "heavier (1.8 kg) and bulkier than feathers but cheaper and easy to wash.",
      near="spo-sleepingbag"),
    P("Summitra Collapsible Trekking Poles, Pair",
      "Three-section aluminium walking sticks that adjust from 105 to 135 cm with quick flick "
      "locks and fold down to 62 cm for a pack. Cork grips mould to your hands; tungsten tips "
      "plus rubber paws for tarmac."),
    P("Cinderpeak 400-Lumen Rechargeable Headlamp",
      "Hands-free torch for camping, night runs and power cuts, throwing a 400-lumen spot or a "
      "wide flood. A red mode preserves night vision in the tent; charges over USB-C and runs "
      "up to 40 hours on low."),
    P("Cinderpeak Compact Gas Camping Stove",
      "Tiny burner that screws onto a gas canister and boils a litre of water in about four "
      "minutes; piezo ignition, 80 g. Folding pot supports fit small pans and mugs; the stove "
      "packs into its own hard case."),
    P("Summitra Insulated Steel Water Bottle 750 ml",
      "Double-wall vacuum flask, 25 fl oz, that keeps drinks cold for 24 hours or hot for 12; "
      "leak-proof lid. Powder-coated so it won't slip from wet hands, and fits most car cup "
      "holders."),
    P("Brookstride Resistance Band Set, 5 Levels",
      "Five colour-coded latex loops from extra-light to extra-heavy for glute activation, "
      "physio rehab and mobility drills at home or in a hotel room. Comes with a mesh carry bag "
      "and an exercise poster."),
    P("Brookstride Cast Iron Kettlebell 16 kg",
      "Solid single-piece bell weighing 16 kg, with a wide, smooth handle that has room for "
      "both hands on swings, cleans and goblet squats. Powder-coated for grip; flat base keeps "
      "it upright between sets."),
    P("Brookstride High-Density Foam Roller",
      "Firm 45 cm ridged cylinder for self-massage of tight calves, quads, IT bands and back "
      "after running or lifting. The knobbly surface digs into knots; a hollow core keeps it "
      "light and it won't flatten."),
    P("Brookstride Speed Skipping Rope",
      "Adjustable steel-cable jump rope with ball-bearing handles for double-unders."),
    P("Tidewell Inflatable Paddle Board Package 10'6\"",
      "An all-round stand-up paddle board, 10'6\" long by 32\" wide and 6\" thick, made of "
      "drop-stitch PVC that becomes rigid at 15 PSI and carries riders up to 120 kg. Wide and "
      "stable enough for beginners and yoga, with a soft EVA deck pad, a front bungee for a dry "
      "bag and a removable centre fin. What's in the package: the board, a three-piece "
      "adjustable aluminium paddle, a double-action hand pump with gauge, a coiled ankle leash, "
      "a repair kit and a wheeled backpack. Rinse with fresh water after sea use and store "
      "partly inflated out of direct sun."),
    P("Tidewell Anti-Fog Swim Goggles",
      "Low-profile pool goggles with mirrored lenses that cut glare and UV on outdoor swims, an "
      "anti-fog coating and a split silicone strap that stays put on tumble turns. Three nose "
      "bridges for a leak-free fit."),
    P("Granitefox Vented Cycling Helmet, M",
      "In-mould road and commuter helmet with 18 vents and a rear dial fit, for heads 54–58 cm. "
      "Removable washable pads and a clip-on rear LED for dark evenings."),
    P("Granitefox USB Bike Light Set",
      "Front and rear LED lamps for commuting in the dark: a 400-lumen headlight and a 50-lumen "
      "tail light, each with steady and flashing modes. Silicone straps fit any handlebar or "
      "seatpost without tools; recharge by USB."),
    P("Granitefox Sport Climbing Harness",
      "Light, comfortable sit harness for indoor walls and outdoor sport routes, with four "
      "moulded gear loops, adjustable leg loops for winter layers and a reinforced belay loop. "
      "Weighs 340 g; sizes S to XL."),
    P("Granitefox Chalk Bag with Belt",
      "Drawstring pouch for climbing chalk with a brush holder and a waist strap."),
    P("Cinderpeak Folding Camp Chair",
      "Packable low seat with an aluminium frame that carries 120 kg and weighs under a kilo. "
      "Sets up in seconds and packs into a bag the size of a water bottle; for festivals, "
      "fishing and beaches."),
    P("Cinderpeak Parachute Nylon Hammock",
      "Lightweight double-width hammock in ripstop parachute nylon that holds 200 kg, with two "
      "tree-friendly straps and carabiners. Packs into an attached pouch the size of a "
      "grapefruit, for festivals and camping."),
    P("Summitra Baseplate Map Compass",
      "Liquid-filled navigation compass with a magnifier, romer scales and a lanyard."),
    P("Tidewell Beach Volleyball, Size 5",
      "Soft-touch stitched ball built for sand and sunshine."),
])

# ---------------------------------------------------------------------------------------------
# Toys & Games
# ---------------------------------------------------------------------------------------------
category("TOY", "Toys & Games", [
    P("Puzzlewick Jigsaw Puzzle, 500 Pieces, Harbour at Dusk",
      "Painted scene of fishing boats and lit windows in a quiet port at sunset, cut into 500 "
      "interlocking parts; finished size 49 × 36 cm."),
    P("Puzzlewick Jigsaw Puzzle, 1000 Pieces, Harbour at Dusk",
      "The twilight fishing-port painting as a 1000-part challenge, 68 × 49 cm when done, on "
      "thick blue-backed board with a poster for reference."),
    P("Puzzlewick Jigsaw Puzzle, 1000 Pieces, Alpine Meadow",
      "Wildflowers, grazing cows and snowy peaks in a 1000-part picture, 68 × 49 cm; lots of "
      "sky and grass for experienced puzzlers."),
    P("Bramblebee Wooden Building Blocks, 50 Pieces",
      "Starter set of fifty smooth beech shapes (cubes, arches, cylinders, triangles) in natural "
      "wood, in a drawstring bag. For ages 1 and up."),
    P("Bramblebee Wooden Building Blocks, 100 Pieces",
      "A hundred natural beech shapes including towers, bridges and windows, stored in a wooden "
      "crate with a sliding lid; enough to build a whole town."),
    P("Bramblebee Wooden Building Blocks, 100 Pieces, Rainbow",
      "One hundred beech bricks painted in eight bright colours with water-based, toy-safe "
      "paints; same shapes as the natural crate set. Comes in a wooden crate with a sliding "
      "lid; ages 1 and up."),
    P("Tinkerfin Magnetic Tiles, 60 Pieces",
      "Translucent squares and triangles with magnets in the edges that click into houses, "
      "rockets and ball ramps. 60 parts, ages 3+."),
    P("Tinkerfin Magnetic Tiles, 120 Pieces",
      "Large bucket of 120 see-through magnetic building shapes, including wheels, a window "
      "pack and extra-large squares for tall towers. Strong magnets are sealed inside welded "
      "plastic edges so they can't come loose; ages 3 and up."),
    P("Zoomly Off-Road RC Truck, 1:18 Scale",
      "Palm-sized radio-controlled monster truck, about 25 cm long, with four-wheel drive and "
      "20 minutes of driving per charge. Easy to drive indoors or on the lawn; for ages 6 and "
      "up, charges by USB."),
    P("Zoomly Off-Road RC Truck, 1:10 Scale",
      "Big 45 cm remote-control monster truck with oil-filled shocks and a brushless motor that "
      "reaches 50 km/h. Two batteries included; ages 14+."),
    P("Bramblebee Cuddly Bear 30 cm",
      "Small plush teddy, 30 centimetres tall, in honey-coloured fur with a stitched nose and "
      "embroidered eyes, so there are no small parts; safe from birth and washable at 30 °C.",
      near="toy-bear"),
    P("Bramblebee Cuddly Bear 60 cm",
      "An extra-big soft teddy, 60 centimetres tall, in honey-coloured fur with embroidered eyes "
      "and nose; sits on the bed like a second pillow.",
      near="toy-bear"),
    P("Gridlock Strategy Board Game",
      "Tile-laying strategy game for 2–4 players in which you build roads and claim cities on a "
      "shifting map. 45–60 minutes, ages 10+. Easy to learn in one game, with enough depth to "
      "bring out again and again.",
      near="toy-gridlock"),
    P("Gridlock Travel Edition Tile Game",
      "Pocket version of the road-and-city tile game in a zip pouch, with a smaller map and "
      "magnetic pieces that stay put on trains; 2 players only.",
      near="toy-gridlock"),
    P("Puzzlewick Walnut Chess Set 40 cm",
      "Folding wooden board with inlaid walnut and maple squares that closes into a box for "
      "storing the pieces. The weighted Staunton-style men have felt bases; king height 7.5 cm."),
    P("Puzzlewick Fibber's Feast Card Game",
      "Quick bluffing game for 3–8 players aged 8 and up: serve dishes face down, claim they're "
      "delicious and catch other diners when they lie. Rounds take 15 minutes and it fits in a "
      "coat pocket."),
    P("Zoomly Rainbow Delta Kite",
      "Easy-flying triangle kite with a 140 cm wingspan in rainbow ripstop nylon that lifts in "
      "light breezes, so even young children can launch it. Comes with 50 m of line on a winder "
      "and a long tail."),
    P("Bramblebee Wooden Play Kitchen",
      "A pretend kitchen for little chefs, made from painted birch plywood and standing 90 cm "
      "tall so it suits ages 3 to 6. It has an oven with a clicking dial, a hob with two "
      "burners that light up, a sink with a removable metal bowl and a tap that turns, a "
      "microwave with a see-through door, and shelves and hooks for utensils. Pots, pans and "
      "play food are sold separately. Assembly takes about an hour with a screwdriver. "
      "Dimensions: 80 × 30 × 90 cm. Needs 2 × AA batteries for the hob lights (not included). "
      "Wipe clean with a damp cloth."),
    P("Bramblebee Townhouse Doll's House",
      "Three-storey wooden home for small figures, with a hinged front that swings open, a "
      "staircase, a balcony and 15 pieces of painted furniture. Stands 70 cm tall; for ages 3 "
      "and up."),
    P("Tinkerfin Jumbo Washable Crayons, 24 Colours",
      "Chunky, easy-grip wax sticks sized for toddler fists, in 24 bright shades. Drawings on "
      "walls, tables and clothes come off with a damp cloth or in the wash; non-toxic."),
    P("Tinkerfin Modelling Dough Tub Set, 8 Colours",
      "Soft, non-toxic squishy dough in eight bright resealable pots that stay fresh for weeks, "
      "plus two rollers, six cutters and a plastic knife. Made with wheat flour, so not "
      "suitable for children with a wheat allergy."),
    P("Tinkerfin Crystal Growing Science Kit",
      "Grow seven sparkling crystal geodes in a week on the kitchen table while learning how "
      "solutions and crystals work. Includes growing powders, moulds, a magnifier and a 24-page "
      "experiment guide; ages 8+."),
    P("Tinkerfin Marble Run Construction Set, 150 Pieces",
      "Build twisting tracks, funnels, spirals and trapdoors for glass marbles, then take them "
      "apart and build a different course. The 150 parts click together on a base grid and "
      "include tall towers, a spinning wheel, a bell, a seesaw switch that sends marbles left "
      "or right, and a crank-operated lift that carries them back to the top so the run never "
      "stops. Thirty glass marbles in six colours are included, plus an idea booklet with "
      "twelve layouts from easy to expert. Suitable for ages 6 and up; contains small parts, so "
      "not for children under 3. Compatible with our other marble run expansion packs."),
    P("Bramblebee Wooden Train Set with Bridge",
      "Beech track figure-of-eight with a raised bridge, a tunnel, a station and a magnetic "
      "engine with two carriages; compatible with most wooden railway brands."),
    P("Zoomly Pro Ball-Bearing Yo-Yo",
      "Unresponsive metal yo-yo for advanced string tricks; comes with five spare strings."),
    P("Puzzlewick Speed Cube 3×3",
      "Smooth-turning puzzle cube with magnets and adjustable tension."),
    P("Zoomly Bubble Machine",
      "Battery-powered blower that pumps out hundreds of bubbles a minute from a spinning wand "
      "wheel, for garden parties and first birthdays. Runs on 4 × AA batteries; 250 ml of "
      "solution included."),
    P("Bramblebee Stacking Rings",
      "Seven chunky wooden rings on a wobbly base, for babies from 12 months."),
    P("Bramblebee Shape Sorter Cube",
      "Wooden box with twelve chunky shapes to post through matching holes on each face; "
      "helps toddlers learn colours, shapes and hand–eye coordination."),
    P("Zoomly Foldable Kick Scooter with Light-Up Wheels",
      "Three-wheeled push scooter for ages 3 to 8 that steers by leaning; LED wheels, adjustable "
      "handlebar, folds for the car boot."),
    P("Zoomly Pump-Action Water Blaster",
      "Garden squirt gun you prime with a few pumps; 600 ml tank and an 8 m range. Ages 6+; "
      "fill it from a tap or dip it in a paddling pool."),
    P("Tinkerfin Dinosaur Figures, Set of 12",
      "Twelve hand-painted prehistoric reptile models, 10–15 cm long, from T. rex to "
      "triceratops and a long-necked diplodocus, each with its name printed underneath. Made of "
      "solid, chew-safe rubber; ages 3+."),
    P("Bramblebee Balance Bike 12 in",
      "Pedal-free first bike that teaches toddlers to balance and steer before learning to "
      "pedal. Low step-through birch frame, adjustable seat, puncture-proof 12-inch tyres; ages "
      "2 to 5."),
])

# ---------------------------------------------------------------------------------------------
# Pet Supplies
# ---------------------------------------------------------------------------------------------
category("PET", "Pet Supplies", [
    P("Barkwell Adventure Harness, Size S, Orange",
      "No-pull dog vest in high-visibility orange with a front clip and a back clip; small, for "
      "chest girths of 40–55 cm (terriers, dachshunds)."),
    P("Barkwell Adventure Harness, Size M, Orange",
      "Padded no-pull vest for medium dogs such as spaniels and collies, chest 55–75 cm, in "
      "bright orange with reflective trim and two lead rings."),
    P("Barkwell Adventure Harness, Size L, Forest Green",
      "Large padded walking vest in forest green for labradors, shepherds and other big breeds, "
      "chest 75–100 cm; front and back attachment points plus a grab handle."),
    P("Barkwell Grain-Free Adult Dog Food, Salmon & Potato, 2 kg",
      "Dry kibble for grown dogs with fresh salmon as the first ingredient and potato instead of "
      "cereals; a 2 kg trial bag."),
    P("Barkwell Grain-Free Adult Dog Food, Salmon & Potato, 12 kg",
      "Big 12 kg sack of cereal-free dry food for adult dogs, made with salmon and potato and "
      "omega-3 for a shiny coat. Resealable."),
    P("Barkwell Grain-Free Adult Dog Food, Lamb & Sweet Potato, 12 kg",
      "Cereal-free complete kibble for grown dogs in a 12 kg sack, with British lamb and sweet "
      "potato; a single animal protein for sensitive tummies."),
    P("Whiskerton Clumping Cat Litter, 10 L",
      "Fine bentonite clay litter that forms hard clumps for easy scooping and locks in odour; "
      "10 litres, unscented. Made from natural clay; scoop daily and top up."),
    P("Whiskerton Clumping Cat Litter, 20 L",
      "Double-size 20 L bag of unscented clay litter that binds wet spots into firm, scoopable "
      "lumps; low dust. Lasts one cat about six weeks with daily scooping."),
    P("Whiskerton Wet Cat Food Pouches, Chicken in Gravy, 12 × 85 g",
      "Twelve single-serve pouches of tender chicken chunks in a rich, meaty sauce; a complete "
      "meal for adult cats with added taurine and vitamins. Feed three to four a day for a 4 kg "
      "cat."),
    P("Whiskerton Wet Cat Food Pouches, Tuna in Jelly, 12 × 85 g",
      "A dozen meal-sized sachets of flaked tuna set in jelly, complete food for adult cats; 85 "
      "g each. Made with sustainably caught fish and no artificial colours."),
    P("Finnhollow Adjustable Aquarium Heater 50 W",
      "A 50-watt submersible glass thermostat heater for small tanks of 30–60 litres, "
      "adjustable from 18 to 32 °C with a dial on the top. Suction cups hold it upright and a "
      "light shows when it is heating.",
      near="pet-heater"),
    P("Finnhollow Adjustable Aquarium Heater 100 W",
      "A more powerful 100-watt submersible thermostat heater for 80–150 litre tanks; "
      "shatterproof glass, adjustable from 18 to 32 °C, auto shut-off if it runs dry.",
      near="pet-heater"),
    P("Barkwell Retractable Cord Dog Lead 5 m",
      "Extending lead with a thin round cord, for small dogs up to 12 kg; one-button brake. "
      "Light, compact handle; best for calm walkers.",
      near="pet-lead"),
    P("Barkwell Retractable Tape Dog Lead 5 m",
      "Extending lead with a flat, wide tape that won't tangle or cut into legs, for dogs up to "
      "50 kg; one-button brake and lock.",
      near="pet-lead"),
    P("Whiskerton Tall Cat Tree 150 cm",
      "A multi-level climbing tower for active indoor cats: sisal-wrapped scratching posts, two "
      "cosy enclosed cubbies, a hammock, three plush perches and a top lookout at 150 cm. The "
      "wide 60 × 50 cm base and included wall strap stop it wobbling when a big cat jumps on. "
      "Dangling pom-pom toys keep kittens busy. Covered in soft faux fur in light grey. "
      "Assembly: about 30 minutes; tools included. Suitable for cats up to 8 kg per platform. "
      "Vacuum the fur regularly; replacement sisal posts are available separately, so the frame "
      "lasts for years."),
    P("Whiskerton Sisal Scratching Post 80 cm",
      "Tall upright scratcher on a heavy base, so claws go here and not on the sofa. Tall "
      "enough for a full stretch, with a dangling toy at the top; the sisal rope can be "
      "replaced."),
    P("Barkwell Orthopaedic Memory Foam Dog Bed, L",
      "Supportive mattress for older dogs with stiff joints: 10 cm of memory foam, bolster "
      "sides and a washable, water-resistant cover. 100 × 75 cm."),
    P("Barkwell Tough Rubber Chew Toy",
      "Near-indestructible snowman-shaped chew in natural rubber for power chewers and teething "
      "pups. Bounces unpredictably for fetch; stuff the hollow centre with paste or kibble to "
      "keep a dog busy for an hour."),
    P("Barkwell Ball Launcher 65 cm",
      "Throwing stick that flings a tennis ball twice as far and picks it up without slobber. "
      "Fits standard-size balls; one included."),
    P("Barkwell Compostable Poop Bags, 240",
      "Sixteen rolls of plant-based, leak-proof waste bags with a dispenser."),
    P("Whiskerton Self-Cleaning Slicker Brush",
      "Fine bent pins lift loose undercoat and tangles from long- and short-haired cats and "
      "dogs without scratching skin. Press the button on the back and the pins retract, so the "
      "collected fur slides off in one piece."),
    P("Barkwell Guillotine Nail Clippers",
      "Stainless steel trimmer for dog claws with a sharp replaceable blade and a safety guard "
      "that stops you cutting too close to the quick. Rubber-coated handles; suits small and "
      "medium breeds."),
    P("Whiskerton Ceramic Water Fountain 2 L",
      "A circulating drinking bowl that tempts cats to drink more: a gentle stream of filtered "
      "water falls from a glazed stoneware dome into a 2-litre basin. The quiet pump and carbon "
      "filter lift out for cleaning."),
    P("Whiskerton Automatic Pet Feeder with App",
      "Timed dry-food dispenser for cats and small dogs that serves up to ten meals a day in "
      "portions of 10 to 100 g, so pets get fed on time when you work late or go away for a "
      "weekend. Set schedules from your phone over 2.4 GHz Wi-Fi, or with the buttons on the "
      "lid if you'd rather not use the app. The 4-litre hopper holds about two weeks of food "
      "for one cat and has a twist lock that greedy paws can't open; a desiccant pack keeps "
      "kibble crunchy. If the power fails, three D batteries take over. Record a ten-second "
      "voice message to call your pet to dinner. The bowl and hopper wash in the dishwasher."),
    P("Finnhollow Wild Bird Seed Mix 5 kg",
      "High-energy blend of sunflower hearts, white millet, kibbled maize and peanut granules "
      "that attracts finches, tits, robins and sparrows to garden feeders year round. No wheat "
      "fillers, so less mess under the table."),
    P("Furrowby Two-Storey Hamster Cage",
      "Roomy rodent home with a deep plastic base that keeps bedding in, a wire top with a "
      "second level, a silent running wheel, a ramp, a hideaway house and a drip-free water "
      "bottle. 60 × 36 × 40 cm."),
    P("Furrowby Timothy Hay for Rabbits 2 kg",
      "Sweet-smelling long-strand grass, harvested in early summer and dust-extracted, that "
      "keeps bunnies' and guinea pigs' teeth worn down and their digestion moving. Should make "
      "up most of the daily diet."),
    P("Finnhollow Tropical Fish Flakes 100 g",
      "Daily staple food for community fish with spirulina for colour."),
    P("Whiskerton Top-Loading Cat Carrier",
      "Hard plastic travel box with a door on top and one at the front, so nervous cats can be "
      "lowered in rather than pushed; vet-approved size for cats up to 10 kg."),
    P("Barkwell Training Treats, Liver, 200 g",
      "Pea-sized soft bites of air-dried liver that are easy to break and quick to swallow, so "
      "the lesson doesn't stall while your dog chews. Under 3 calories each; resealable pouch "
      "fits a coat pocket."),
    P("Barkwell Super-Absorbent Puppy Pads, 50 Pack",
      "Five-layer toilet-training mats, 60 × 60 cm, that turn liquid to gel within seconds and "
      "have a leak-proof plastic backing. An attractant scent encourages puppies to use the pad "
      "rather than the rug."),
    P("Whiskerton Organic Catnip Mouse Trio",
      "Three felt mice stuffed with potent dried catnip."),
    P("Barkwell Silicone Lick Mat",
      "Textured slow-feeding pad with suction cups that stick to a tile wall or bath; spread it "
      "with yoghurt, peanut butter or wet food to calm a nervous dog during baths, nail trims "
      "and fireworks. Dishwasher safe."),
])

# ---------------------------------------------------------------------------------------------
# Office & Stationery
# ---------------------------------------------------------------------------------------------
category("OFF", "Office & Stationery", [
    P("Ledgerline Hardcover Notebook, A5, Dotted, Black",
      "Clothbound journal, 14.8 × 21 cm, with a faint 5 mm dot grid on 192 pages of 100 gsm "
      "ink-proof paper; black cover, ribbon marker, elastic closure."),
    P("Ledgerline Hardcover Notebook, A5, Ruled, Black",
      "Black clothbound A5 journal with lined pages (6 mm spacing) for handwriting and "
      "meeting notes; 192 numbered pages, index, back pocket."),
    P("Ledgerline Hardcover Notebook, A4, Dotted, Black",
      "Large 21 × 29.7 cm journal with a dot grid for sketches, planning and bullet journalling; "
      "black linen cover, two ribbons, 192 pages."),
    P("Ledgerline Hardcover Notebook, A5, Dotted, Terracotta",
      "Dot-grid A5 journal in a warm burnt-orange cloth cover, same 100 gsm paper that fountain "
      "pens don't bleed through. 192 pages with a ribbon marker and elastic band."),
    P("Quillmark Gel Pen, 0.5 mm, Black, Pack of 12",
      "Twelve fine-point retractable rollers with quick-drying black ink that won't smear under "
      "your hand, so they are a favourite with left-handed writers. Soft rubber grip; "
      "refillable."),
    P("Quillmark Gel Pen, 0.7 mm, Black, Pack of 12",
      "Box of twelve medium-point black gel writers with a bolder, smoother line and a rubber "
      "grip; refillable. Ink is water-resistant and fade-proof once dry, so it is fine for "
      "signing documents."),
    P("Quillmark Gel Pen, 0.5 mm, Assorted Colours, Pack of 8",
      "Eight fine colourful rollers – red, blue, green, purple, pink, orange, teal and black – "
      "for journals and colour-coded notes."),
    P("Deskwright Vertical Ergonomic Mouse, Right-Handed",
      "Upright handshake-grip mouse that eases wrist strain, shaped for the right hand; six "
      "buttons, 2.4 GHz and Bluetooth, rechargeable. Adjustable sensitivity up to 2400 DPI; "
      "charges in two hours over USB-C."),
    P("Deskwright Vertical Ergonomic Mouse, Left-Handed",
      "The handshake-grip wireless pointer mirrored for left-handed users, with the thumb "
      "buttons on the right side; rechargeable, silent clicks. Six buttons, 2.4 GHz receiver or "
      "Bluetooth; charges over USB-C."),
    P("Quillmark Heritage Fine-Nib Fountain Pen",
      "Brass-barrelled piston filler with a gold-plated steel F nib that draws a thin, crisp "
      "line for small handwriting. Holds 1.2 ml of bottled ink, visible through a window in the "
      "barrel; gift box included.",
      near="off-fountain"),
    P("Quillmark Heritage Medium-Nib Fountain Pen",
      "Brass-barrelled piston filler with a gold-plated steel M nib that lays down a wetter, "
      "broader line for expressive, larger writing. Holds 1.2 ml of bottled ink; gift box "
      "included.",
      near="off-fountain"),
    P("Deskwright 10-Sheet Strip-Cut Shredder",
      "Basic home paper shredder that slices ten sheets at a time into 6 mm ribbons (security "
      "level P-2), fine for junk mail and drafts. 15 L pull-out bin with a window; runs five "
      "minutes before a cool-down.",
      near="off-shredder"),
    P("Deskwright 10-Sheet Micro-Cut Shredder",
      "High-security home shredder that reduces pages to 2 × 15 mm confetti (P-5), so bank "
      "statements can't be pieced back together; also takes cards and staples. 15 L bin.",
      near="off-shredder"),
    P("Deskwright Heavy-Duty Stapler, 60 Sheets",
      "Full-strip desktop stapler with a long lever that needs very little force to bind "
      "reports of up to 60 sheets. Adjustable paper guide, non-slip rubber base; takes 23/8 to "
      "23/10 staples."),
    P("Ledgerline Sticky Notes 76 × 76 mm, 12 Pads",
      "Twelve pads of self-adhesive square memo paper in six pastel colours, 100 sheets each. "
      "The glue holds firmly on monitors and walls yet peels off and repositions cleanly "
      "without leaving marks."),
    P("Deskwright Bamboo Desk Organiser",
      "Five-compartment caddy in solid bamboo that gathers pens, scissors, a phone, a "
      "sticky-note pad and paper clips in one tidy footprint, with a small drawer for chargers "
      "and USB sticks."),
    P("Deskwright Handheld Label Maker",
      "Portable tape printer with a QWERTY keyboard, 12 mm laminated labels and a backlit screen; "
      "print for folders, cables and spice jars."),
    P("Ledgerline Magnetic Dry-Wipe Whiteboard 90 × 60 cm",
      "Lacquered steel writing board, 90 × 60 cm, that wipes clean without ghosting and holds "
      "magnets for notices. Slim aluminium frame, a pen tray along the bottom and wall fixings "
      "for landscape or portrait hanging."),
    P("Ledgerline A4 Copier Paper, 80 gsm, 5 Reams",
      "Box of 2,500 bright white sheets (five reams of 500) for everyday laser and inkjet "
      "printing and photocopying. Jam-free, acid-free and from responsibly managed forests."),
    P("Deskwright A3 Laminator",
      "Hot-pouch machine that seals documents up to A3 size in clear plastic to protect them "
      "from spills and fingers. It warms up in about four minutes, takes pouches of 80 to 125 "
      "microns and runs at 30 cm per minute; a release lever clears jams and it switches itself "
      "off after 30 idle minutes. Good for menus, signs, recipe cards, children's flashcards "
      "and ID cards. A cold setting seals self-adhesive pouches and photos that shouldn't be "
      "heated. In the box: the laminator, a carrier sheet and a starter pack of 25 A4 pouches. "
      "One-year warranty."),
    P("Deskwright Wooden Monitor Riser",
      "Screen stand that lifts a display by 10 cm and leaves space for a keyboard underneath. "
      "Solid pine, 54 cm wide; the shelf takes up to 20 kg."),
    P("Quillmark Chisel-Tip Highlighters, 6 Pack",
      "Fluorescent markers in yellow, green, pink, orange, blue and violet."),
    P("Quillmark Solar Desk Calculator",
      "Twelve-digit calculator with a big tilted display and battery backup."),
    P("Ledgerline Self-Seal DL Envelopes, 500",
      "Box of 500 white window envelopes, 110 × 220 mm, that fit an A4 letter folded in three. "
      "Peel-and-seal strip, no licking; a security tint inside hides the contents."),
    P("Deskwright Dimmable LED Desk Lamp with USB Port",
      "Adjustable arm lamp with five colour temperatures from warm 2700 K to cool 6500 K, "
      "touch dimming and a charging port in the base."),
    P("Ledgerline 2025–2026 Academic Weekly Planner",
      "A dated diary running from July to July, so it suits teachers and students who plan by "
      "school year. Each spread shows one week on the left and a ruled notes page on the right; "
      "there are monthly overviews, a year-at-a-glance calendar, a timetable grid, a contacts "
      "section and 20 blank pages at the back. Sewn binding lies flat on a desk; 120 gsm paper, "
      "rounded corners, a ribbon, an elastic strap and a pen loop. Size: 17 × 24 cm, 224 pages. "
      "Cover: faux leather in navy with the years blind-embossed."),
    P("Ledgerline Mixed-Media Sketchbook A4",
      "Spiral-bound pad of 50 heavyweight 200 gsm sheets with a fine tooth that takes pencil, "
      "ink, marker and light watercolour washes without buckling. The wire binding lets it fold "
      "back flat; stiff board covers."),
    P("Quillmark Correction Tape Roller, 3 Pack",
      "Roll-on white cover strip that hides slips of the pen instantly, with no drying time."),
    P("Ledgerline Lever Arch Files A4, Pack of 10",
      "Ten sturdy binders with a 75 mm spine that each hold about 500 sheets of hole-punched "
      "paper, with a finger hole for pulling off the shelf and a label pocket on the spine. "
      "Assorted colours."),
    P("Deskwright Two-Hole Punch, 30 Sheets",
      "Metal hole punch with a paper guide and a non-slip base."),
    P("Quillmark Graphite Pencil Set, 12 Grades",
      "Twelve drawing pencils graded from hard 6H for fine lines to soft, dark 8B for shading, "
      "in a hinged metal tin with a sharpener and eraser. Made for art students and sketchers."),
])

# ---------------------------------------------------------------------------------------------
# Garden & Tools
# ---------------------------------------------------------------------------------------------
category("GAR", "Garden & Tools", [
    P("Rootbound Expandable Garden Hose, 15 m",
      "Lightweight stretch hosepipe that grows to 15 metres under pressure and shrinks back to "
      "a third of that when drained; 9-pattern spray gun included."),
    P("Rootbound Expandable Garden Hose, 30 m",
      "Stretchy hosepipe that reaches 30 metres when the tap is on, enough for a medium back "
      "garden, and shrinks to 10 m for storage; with a nine-setting spray nozzle."),
    P("Rootbound Expandable Garden Hose, 45 m",
      "Our longest stretch hose at 45 metres when full, for big plots and allotments. Inner "
      "latex tube, solid brass fittings and a 9-pattern spray gun."),
    P("Greenhollow Terracotta Plant Pot, 15 cm",
      "Small unglazed clay flowerpot, 15 cm across, with a drainage hole and a matching saucer, "
      "sized for basil, chives or a succulent on a sunny windowsill. The porous walls let roots "
      "breathe."),
    P("Greenhollow Terracotta Plant Pot, 25 cm",
      "Medium breathable clay planter, 25 cm across, with drainage hole; suits geraniums, "
      "lavender or a small olive tree. Soak it in water before planting so the clay doesn't "
      "pull moisture from fresh compost."),
    P("Greenhollow Terracotta Plant Pot, 35 cm",
      "Large 35 cm fired-clay container for patio shrubs and bay trees. Frost resistant to "
      "−10 °C; raise it on feet in winter."),
    P("Thornbury 18V Cordless Drill Driver, Body Only",
      "Battery drill and screwdriver with a 13 mm keyless chuck, 2 speeds and 45 Nm of torque; "
      "supplied without battery or charger, for owners of the 18 V tool system."),
    P("Thornbury 18V Cordless Drill Driver, with 2 Batteries & Charger",
      "Complete kit: the 13 mm chuck, 45 Nm drill and screwdriver plus two 2.0 Ah lithium packs, "
      "a one-hour charger and a carry case, ready to use out of the box."),
    P("Spadeworth Bypass Secateurs, Right-Handed",
      "Scissor-action pruners with a carbon steel blade that cut live stems up to 20 mm "
      "cleanly; ergonomic grip shaped for the right hand."),
    P("Spadeworth Bypass Secateurs, Left-Handed",
      "Mirror-image scissor-action pruning shears for southpaws, with the safety catch on the "
      "other side; 20 mm cutting capacity on green wood."),
    P("Thornbury 550 W Corded Hedge Trimmer",
      "Mains-powered hedge cutter with a 55 cm dual-action blade and 20 mm tooth gap; runs as "
      "long as you like on a 10 m cable.",
      near="gar-hedge"),
    P("Thornbury 18V Cordless Hedge Trimmer",
      "Battery-powered hedge cutter with a 55 cm dual-action blade and 20 mm tooth gap; no "
      "cable to trip over or cut, about 40 minutes per 2.0 Ah charge.",
      near="gar-hedge"),
    P("Greenhollow Peat-Free Multi-Purpose Compost 40 L",
      "General potting mix of composted bark, wood fibre and coir for seeds, containers and "
      "beds, with added nutrients for six weeks.",
      near="gar-compost"),
    P("Greenhollow Peat-Free Ericaceous Compost 40 L",
      "Acidic, lime-free potting mix for rhododendrons, blueberries, camellias and azaleas; "
      "bark, wood fibre and coir, feeds for six weeks.",
      near="gar-compost"),
    P("Spadeworth Stainless Steel Border Spade",
      "Compact digging tool with a mirror-polished blade that slides through clay, a treaded "
      "step and an ash shaft with a D-grip."),
    P("Spadeworth Digging Fork",
      "Four square-section steel tines that break up compacted soil, turn compost heaps and "
      "lift potatoes without spearing them. Ash shaft with a D-shaped grip; the forged head is "
      "guaranteed for ten years."),
    P("Spadeworth Leaf Rake with Adjustable Head",
      "Fan-shaped rake whose spring-steel tines spread from 20 to 60 cm with a slider: wide for "
      "clearing autumn leaves off a lawn, narrow for reaching between shrubs and tight corners. "
      "Telescopic aluminium handle."),
    P("Spadeworth Hand Trowel",
      "Forged one-piece planting tool with depth markings and a soft grip."),
    P("Greenhollow Foam Kneeler Pad",
      "Thick waterproof cushion that saves knees while weeding; wipe clean."),
    P("Spadeworth Thorn-Proof Gardening Gloves, M",
      "Goatskin gauntlets with long suede cuffs that reach the elbow, so you can prune roses, "
      "hawthorn and brambles without scratched arms. Supple enough to pick up small cuttings; "
      "size medium."),
    P("Rootbound Galvanised Wheelbarrow 85 L",
      "Heavy-duty barrow with a pneumatic tyre and a rust-proof tray for soil, bricks and green "
      "waste. Steel handles with comfortable grips; arrives flat-packed with all bolts."),
    P("Rootbound Long-Spout Watering Can 9 L",
      "Balanced plastic can holding 9 litres, with a long reach for the back of borders and a "
      "removable brass rose that gives a gentle shower for seedlings. Take the rose off for a "
      "direct pour into pots."),
    P("Rootbound Oscillating Lawn Sprinkler",
      "Sweeping sprinkler with 16 jets that waters a rectangle up to 18 × 16 m; set the "
      "width and range with two sliders."),
    P("Greenhollow Windowsill Herb Seed Kit",
      "Everything to grow basil, parsley, chives and thyme indoors: four bamboo pots, peat-free "
      "soil discs, seed packets, plant markers and a drip tray."),
    P("Thornbury 36V Cordless Lawn Mower 42 cm",
      "A battery-powered rotary mower for medium lawns up to about 500 m². Two 18 V 4.0 Ah "
      "batteries work together to drive a 42 cm steel blade, with six cutting heights from 25 "
      "to 75 mm set by one lever. The 50-litre grass box has a fullness indicator, and rear "
      "combs pull grass right up to the edge of borders. Mulching plug included. Folding "
      "handles let it stand upright in a shed. Specs: noise 93 dB, weight 19 kg without "
      "batteries, runtime about 40 minutes. In the box: mower, grass box, mulch plug, two "
      "batteries and a dual-port charger."),
    P("Thornbury 18V Cordless Leaf Blower",
      "Battery-powered blower that clears paths, patios and drives of leaves, grass clippings "
      "and dust at up to 210 km/h, with no cord to drag around. Runs 15 minutes on a 2.0 Ah "
      "pack from the same 18 V range; sold body only."),
    P("Greenhollow Galvanised Raised Bed 180 × 90 cm",
      "Rust-proof corrugated steel planter for growing vegetables at a comfortable height: 180 "
      "× 90 cm and 30 cm tall, open at the bottom for drainage. Bolts together in minutes; "
      "rolled top edges protect hands."),
    P("Spadeworth Folding Pruning Saw 20 cm",
      "Pocket-size saw whose 20 cm blade folds into the handle and locks open; razor-sharp "
      "impulse-hardened teeth cut on the pull stroke through branches up to 10 cm thick. Handy "
      "for fruit trees and hedges."),
    P("Greenhollow Solar Stake Lights, 8 Pack",
      "Eight warm-white path lights on spikes that soak up daylight through a small panel and "
      "switch on automatically at dusk, glowing for up to eight hours. No wiring; frosted glass "
      "shades."),
    P("Rootbound Compost Bin 330 L",
      "Recycled-plastic composter with a hinged lid and a hatch at the bottom to shovel out "
      "finished soil improver. Place it on bare soil so worms can get in; turns kitchen and "
      "garden scraps into compost in six to nine months."),
    P("Greenhollow Slate Plant Labels, 10 Pack",
      "Reusable pointed slate markers you write on with the chalk pen included."),
    P("Spadeworth Stand-Up Weed Puller",
      "Long-handled claw tool that pulls dandelions out roots and all without bending down; "
      "a foot pedal and slider eject each weed."),
    P("Thornbury 1800 W Pressure Washer 130 bar",
      "Electric jet washer for cars, patios, decking, fences and garden furniture, with a motor "
      "strong enough for moss-covered paving but light enough to wheel around with one hand. "
      "Technical data, in full: power 1800 W; maximum pressure 130 bar; rated pressure 90 bar; "
      "maximum flow 420 l/h; maximum inlet water temperature 40 °C; hose length 8 m; cable "
      "length 5 m; weight 6.4 kg. Accessories: a \"turbo\" rotating nozzle for stubborn dirt, a "
      "variable fan lance, a 28 cm patio cleaner, a detergent bottle and a hose connector. "
      "Store it frost-free over winter and run clean water through after using detergent."),
])

# ---------------------------------------------------------------------------------------------
# Coffee, Tea & Pantry
# ---------------------------------------------------------------------------------------------
category("GRO", "Coffee, Tea & Pantry", [
    P("Harbour Roast Whole Bean Coffee, Ethiopia Yirgacheffe, 250 g",
      "Light-roasted washed arabica from southern Ethiopia tasting of jasmine, bergamot and "
      "lemon; best as pour-over or filter. 250 g bag."),
    P("Harbour Roast Whole Bean Coffee, Ethiopia Yirgacheffe, 1 kg",
      "A kilo bag of our floral, citrusy East African light roast for office machines and "
      "heavy drinkers; unground, one-way valve."),
    P("Harbour Roast Whole Bean Coffee, Colombia Huila, 250 g",
      "Medium roast from the Andes with notes of red apple, caramel and milk chocolate; sweet "
      "and balanced in an espresso or a cafetière."),
    P("Harbour Roast Whole Bean Coffee, Sumatra Mandheling, 250 g",
      "Dark, earthy Indonesian beans with low acidity and hints of cedar, cocoa and spice; "
      "wet-hulled, 250 g. Big body that stands up well to milk in a cafetière or moka pot."),
    P("Kettlesong English Breakfast Tea, 40 Bags",
      "Strong black blend of Assam and Kenyan leaf that stands up to milk; forty plastic-free "
      "pyramid sachets. Brew for four minutes for a deep amber cup."),
    P("Kettlesong English Breakfast Tea, 80 Bags",
      "Family box of eighty plant-based pyramid sachets of a malty Assam and Kenya blend, "
      "brewed strong with a splash of milk."),
    P("Kettlesong English Breakfast Tea, Loose Leaf, 250 g",
      "The same brisk Assam and Kenyan morning blend as whole leaf in a resealable caddy "
      "pouch; use one teaspoon per cup, brew 3–4 minutes at 100 °C."),
    P("Millbrook Pantry Extra Virgin Olive Oil, 500 ml",
      "Cold-extracted oil from a single harvest of Koroneiki olives in the Peloponnese, with a "
      "grassy aroma and a peppery kick at the back of the throat. Half-litre dark glass bottle; "
      "best for drizzling and dressings."),
    P("Millbrook Pantry Extra Virgin Olive Oil, 3 L Tin",
      "Three litres of the same peppery Greek cold-extracted oil in a light-proof tin with a "
      "pouring spout, for households that cook with it every day. Decant into a small bottle "
      "and keep the tin cool."),
    P("Harbour Roast Espresso Blend Whole Bean 1 kg",
      "Chocolatey dark-roast blend of Brazilian and Indian beans built for espresso machines: "
      "thick crema, low acidity and a nutty finish that cuts through milk. Full-caffeine; "
      "one-kilo valve bag.",
      near="gro-espresso"),
    P("Harbour Roast Decaf Espresso Blend Whole Bean 1 kg",
      "The same chocolatey dark-roast espresso profile with 99.9% of the caffeine removed "
      "with a chemical-free water process, so you can have a flat white after dinner.",
      near="gro-espresso"),
    P("Millbrook Pantry Dark Chocolate 70%, 100 g",
      "Smooth 70% cocoa single-origin bar made from Ecuadorian cocoa, with red fruit notes and "
      "a gentle sweetness; a good everyday dark bar for people new to high-cocoa chocolate.",
      near="gro-chocolate"),
    P("Millbrook Pantry Dark Chocolate 85%, 100 g",
      "Intense, barely sweet bar with 85% cocoa, so more cocoa and less sugar than our everyday "
      "dark, bitter and complex with coffee and tobacco notes; made from the same Ecuadorian "
      "beans.",
      near="gro-chocolate"),
    P("Harbour Roast Cold Brew Concentrate 1 L",
      "Coffee steeped cold for 18 hours and filtered, so it is smooth and low in bitterness. "
      "Mix one part with two parts water or milk over ice; keeps two weeks in the fridge after "
      "opening."),
    P("Harbour Roast Compostable Coffee Capsules, 30",
      "Thirty single-serve pods of medium-roast coffee that fit most original-line capsule "
      "espresso machines, so you don't need to buy the machine maker's own. Each holds 5.5 g of "
      "a Brazil and Colombia blend with notes of hazelnut and milk chocolate, rated 7 on a 1–12 "
      "intensity scale. The shells are made from plant-based material and certified "
      "industrially compostable, so they go in the food-waste bin rather than landfill. Tip: "
      "run one hot water shot through the machine first for a hotter cup. Store in a cool, dry "
      "place; best within six months of the roast date printed on the box."),
    P("Millbrook Pantry Belgian Hot Chocolate Flakes 300 g",
      "Shavings of real 34% milk chocolate from Belgium that melt into steamed milk for a "
      "thick, velvety café-style drink, not a powdery one. Four heaped spoons per mug."),
    P("Kettlesong Chamomile & Honey Herbal Tea, 20 Bags",
      "Caffeine-free bedtime infusion of whole chamomile flowers with honey flavour."),
    P("Kettlesong Red Rooibos Tea, 40 Bags",
      "Naturally caffeine-free South African bush tea with a sweet, nutty, slightly honeyed "
      "taste, lovely with or without milk. Forty unbleached string bags; fine for children and "
      "late evenings."),
    P("Kettlesong Masala Chai Loose Leaf 125 g",
      "Assam black tea blended with cardamom, cinnamon, ginger, clove and black pepper; simmer "
      "with milk and sugar on the stove."),
    P("Kettlesong Ceremonial Grade Matcha 30 g",
      "Bright green, finely stone-ground shade-grown tea powder from Uji, Japan, smooth and "
      "umami rather than bitter. Whisk half a teaspoon with 70 ml of water at 80 °C into a "
      "frothy bowl, or make a latte."),
    P("Millbrook Pantry Raw Wildflower Honey 340 g",
      "Unheated, unfiltered honey from a single apiary in the Welsh borders, with the taste of "
      "clover, bramble and lime blossom. It may set and crystallise; stand the glass jar in "
      "warm water to loosen it."),
    P("Millbrook Pantry Pure Maple Syrup, Grade A Amber",
      "Canadian sap boiled down into a rich, rounded syrup with caramel notes, for pancakes, "
      "porridge, baking and glazing roast carrots. 250 ml glass bottle; refrigerate once "
      "opened."),
    P("Millbrook Pantry Bronze-Die Spaghetti 500 g",
      "Durum wheat pasta extruded through bronze plates for a rough surface that holds sauce; "
      "cooks in 11 minutes. Slowly dried at low temperature in Gragnano for a firm bite."),
    P("Millbrook Pantry Aged Basmati Rice 2 kg",
      "Long-grain Himalayan rice matured for a year so the grains cook up fluffy and separate "
      "and stretch in length, with a nutty aroma. Rinse, then simmer for 10 minutes."),
    P("Millbrook Pantry Crunchy Peanut Butter 1 kg",
      "Roasted peanuts and a pinch of sea salt – nothing else, so no palm oil and no sugar. The "
      "oil will separate on the shelf: stir it back in before use. Big jar for families."),
    P("Millbrook Pantry Maple Pecan Granola 500 g",
      "Oat clusters baked slowly with maple syrup, pecans and sunflower seeds until crunchy; "
      "lightly sweet, so it works with yoghurt and fruit. Recyclable paper bag."),
    P("Millbrook Pantry Sea Salt Flakes 250 g",
      "Pyramid-shaped crystals from the Atlantic coast for finishing dishes."),
    P("Millbrook Pantry Piment d'Espelette 40 g",
      "Mildly hot, fruity ground red pepper from the French Basque country, dried in the sun on "
      "house fronts; AOP certified. Sprinkle on eggs, fish and pipérade."),
    P("Harbour Roast Crème Brûlée Flavoured Ground Coffee 227 g",
      "Medium-roast arabica, finely ground for filter machines, with caramelised sugar and "
      "vanilla custard flavouring; a dessert in a mug."),
    P("Millbrook Pantry Barista Oat Drink 1 L",
      "Plant-based milk made for coffee: it steams into silky microfoam for latte art and "
      "doesn't split in hot, acidic brews. Made from Nordic oats, lightly enriched with "
      "calcium."),
    P("Millbrook Pantry Breakfast Selection Gift Hamper",
      "A wicker basket filled with a slow weekend breakfast for two, put together for birthdays, "
      "thank-yous and housewarmings. Inside: 250 g of medium-roast Colombian ground coffee, "
      "twenty English breakfast tea sachets, a 340 g jar of raw wildflower honey, 250 ml of "
      "amber maple syrup, 500 g of maple pecan granola, a 200 g jar of Seville orange "
      "marmalade and two all-butter shortbread rounds. Everything is vegetarian; the granola "
      "contains nuts, oats and may contain traces of milk. Shelf life at least four months. "
      "Packed in recyclable wood wool with a handwritten gift card (add your message at "
      "checkout)."),
    P("Millbrook Pantry Seville Orange Marmalade 340 g",
      "Thick-cut bitter-orange preserve, cooked in small copper pans."),
    P("Millbrook Pantry Dried Mango Slices 200 g",
      "Chewy unsulphured fruit with no added sugar, from Burkina Faso."),
])


# ---------------------------------------------------------------------------------------------
# Assembly, checks and output
# ---------------------------------------------------------------------------------------------
def family_key(title: str) -> str:
    """Variant families share the title text before the first comma."""
    return title.split(",", 1)[0].strip()


def word_count(text: str) -> int:
    """Whitespace word count, the same measure the data-quality test uses."""
    return len(text.split())


def build_rows() -> list[dict[str, str]]:
    """Assign product ids in table order and return the catalogue rows.

    Raises:
        ValueError: If a title or description repeats, a cell is empty, or a ``near`` tag does not
            pair exactly two products.
    """
    rows: list[dict[str, str]] = []
    near_members: dict[str, list[str]] = {}
    for code, name, entries in CATEGORIES:
        for number, entry in enumerate(entries, start=1):
            product_id = f"{code}-{number:04d}"
            for field, value in (("title", entry.title), ("description", entry.description)):
                if not value.strip() or value != value.strip() or "\n" in value:
                    raise ValueError(f"{product_id}: {field} {value!r} is empty, padded or multi-line; fix the entry.")
            rows.append({"product_id": product_id, "category": name, "title": entry.title,
                         "description": entry.description})
            if entry.near is not None:
                near_members.setdefault(entry.near, []).append(product_id)
    for column in ("title", "description"):
        seen: dict[str, str] = {}
        for row in rows:
            if row[column] in seen:
                raise ValueError(f"{row['product_id']} repeats the {column} of {seen[row[column]]}; "
                                 "every title and description must be unique.")
            seen[row[column]] = row["product_id"]
    for tag, members in near_members.items():
        if len(members) != 2:
            raise ValueError(f"near tag {tag!r} marks {members}; a near-identical pair needs exactly two products.")
    return rows


def small_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Demo subset: per category, the first two rows and every eighth row after them.

    The first two rows of every block are members of a variant family, and the stride picks up
    near-identical pairs, short and long descriptions, so the small file keeps the hard cases.
    """
    position: dict[str, int] = {}
    out = []
    for row in rows:
        index = position.get(row["category"], 0)
        position[row["category"]] = index + 1
        if index < 2 or index % SMALL_STRIDE == 0:
            out.append(row)
    return out


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """Serialise with the csv module (minimal quoting, ``\\n`` line ends) as UTF-8 bytes."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def summary(rows: list[dict[str, str]]) -> str:
    """Counts quoted in README.md: rows per category and rows per hard case."""
    families: dict[str, list[str]] = {}
    for row in rows:
        families.setdefault(family_key(row["title"]), []).append(row["product_id"])
    family_rows = sum(len(m) for m in families.values() if len(m) > 1)
    family_count = sum(1 for m in families.values() if len(m) > 1)
    sizes = sorted({len(m) for m in families.values() if len(m) > 1})
    near_rows = sum(1 for _, _, entries in CATEGORIES for e in entries if e.near is not None)
    words = [word_count(r["description"]) for r in rows]
    lines = [f"rows: {len(rows)}"]
    for _, name, entries in CATEGORIES:
        lines.append(f"  {name}: {len(entries)}")
    lines += [
        f"variant families: {family_count} families, {family_rows} rows "
        f"({family_rows / len(rows):.0%}), sizes {sizes}",
        f"near-identical pairs: {near_rows // 2} pairs, {near_rows} rows",
        f"short descriptions (<16 words): {sum(w < 16 for w in words)}",
        f"medium descriptions (16-89 words): {sum(16 <= w < 90 for w in words)}",
        f"long descriptions (>=90 words): {sum(w >= 90 for w in words)}",
        f"non-ASCII rows: {sum(any(ord(c) > 127 for c in r['title'] + r['description']) for r in rows)}",
        f"descriptions with a double quote: {sum(chr(34) in r['description'] for r in rows)}",
        f"descriptions with a comma: {sum(',' in r['description'] for r in rows)}",
        f"word count min/median/max: {min(words)}/{sorted(words)[len(words) // 2]}/{max(words)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, verify) both CSV files; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed files instead of writing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = build_rows()
    outputs = {HERE / "catalogue.csv": to_csv(rows), HERE / "catalogue_small.csv": to_csv(small_rows(rows))}
    stale = []
    for path, data in outputs.items():
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path.name)
        else:
            path.write_bytes(data)
            logger.info("wrote %s (%d bytes)", path.name, len(data))
    logger.info(summary(rows))
    if stale:
        logger.error("stale: %s; rerun python sample_data/build_catalogue.py", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
