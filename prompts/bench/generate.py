#!/usr/bin/env python3
"""Writes the benchmark suites in this folder. Deterministic (fixed seeds); all text is written for this project.

Run from the repository root:  python3 prompts/bench/generate.py
The suites are committed; rerun only after changing this script. Line format: eval/README.md.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def user(text):
    return [{"role": "user", "content": text}]


def write(name, lines):
    with open(os.path.join(HERE, name + ".jsonl"), "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def short_chat():
    items = [
        ("What is the capital of France? Answer with one word.", "regex", r"(?i)paris"),
        ("What is 7 times 8? Reply with the number only.", "regex", r"\b56\b"),
        ("Name the largest planet in our solar system.", "regex", r"(?i)jupiter"),
        ("Reply with exactly the word OK and nothing else.", "exact", "OK"),
        ("Invent a person and describe them as a JSON object with the keys name and age. Reply with the JSON only.", "json_valid", None),
        ("Translate 'good morning' into Spanish.", "regex", r"(?i)buen[oa]s? d[ií]as"),
        ("How many days does a leap year have? Reply with the number only.", "regex", r"\b366\b"),
        ("Which gas do plants take from the air for photosynthesis?", "regex", r"(?i)carbon dioxide|CO2|CO₂"),
        ("Write a haiku about autumn leaves.", None, None),
        ("In two sentences, explain why the sky looks blue on a clear day.", None, None),
        ("List the three primary colours of paint as a JSON array of strings. Reply with the JSON only.", "json_valid", None),
        ("At sea level, at what temperature in degrees Celsius does water boil? Reply with the number only.", "regex", r"\b100\b"),
        ("Spell the word 'cat' backwards. Reply with the result only.", "regex", r"(?i)\btac\b"),
        ("Suggest a friendly name for a small neighbourhood bakery.", None, None),
        ("Which day of the week comes after Tuesday?", "regex", r"(?i)wednesday"),
        ("In one sentence, tell a story about a lost dog that finds its way home.", None, None),
    ]
    lines = []
    for i, (prompt, kind, expected) in enumerate(items):
        line = {"id": f"chat-{i + 1:02d}", "messages": user(prompt), "max_tokens": 64, "temperature": 0}
        if kind:
            line["check"] = {"type": kind} | ({"expected": expected} if expected is not None else {})
        lines.append(line)
    write("short-chat", lines)


STATIONS = ["Northfield", "Harrow Ridge", "Millbrook", "Saltmarsh Point", "Eastwater", "Copper Hill", "Lindenvale", "Greywick"]
WINDS = ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"]
NOTES = [
    "the morning fog lifted before nine and the afternoon stayed bright",
    "a short shower passed over around noon and the gauge was emptied at six",
    "cattle in the lower meadow sheltered under the oaks for most of the day",
    "the river gauge rose by a few centimetres after the overnight rain",
    "swallows were seen low over the reservoir late in the evening",
    "frost formed on the instrument screen roof shortly before dawn",
    "gusts rattled the anemometer mast and a branch fell near the gate",
    "the sky cleared after sunset and the stars were unusually sharp",
    "a thin haze from distant field burning reduced visibility in the afternoon",
    "the observer replaced the wet-bulb wick and recalibrated the barometer",
    "thunder was heard to the west but no lightning was seen from the station",
    "light drizzle fell on and off from mid-morning until late afternoon",
]


def long_prompt():
    lines = []
    for n, station in enumerate(STATIONS):
        rng = random.Random(1000 + n)
        days = 40
        rain = [round(rng.uniform(0, 12), 1) for _ in range(days)]
        wettest = rng.randrange(days)
        rain[wettest] = round(max(rain) + rng.uniform(3, 9), 1)
        log = []
        for d in range(days):
            high = rng.randint(8, 27)
            low = high - rng.randint(4, 11)
            log.append(
                f"Day {d + 1}: {station} recorded a high of {high} degrees and a low of {low} degrees, "
                f"{rain[d]} mm of rain, and wind from the {rng.choice(WINDS)} at {rng.randint(3, 38)} km/h. "
                f"Observer's note: {rng.choice(NOTES)}."
            )
        prompt = (
            f"Below is the daily weather log of the {station} station for {days} days.\n\n"
            + "\n".join(log)
            + "\n\nOn which day was the most rain recorded? Answer with the day number only."
        )
        lines.append({
            "id": f"long-{n + 1:02d}",
            "messages": user(prompt),
            "max_tokens": 16,
            "temperature": 0,
            "check": {"type": "regex", "expected": rf"\b{wettest + 1}\b"},
        })
    write("long-prompt", lines)


SERVICES = [
    "basic safety check", "full service", "puncture repair", "tyre fitting", "inner tube replacement", "chain replacement",
    "chain cleaning and lubrication", "cassette replacement", "brake pad replacement (rim)", "brake pad replacement (disc)",
    "hydraulic brake bleed", "brake cable replacement", "gear cable replacement", "gear indexing", "derailleur hanger alignment",
    "wheel truing", "spoke replacement", "hub service", "bottom bracket replacement", "headset service", "handlebar tape wrap",
    "saddle fitting", "pedal fitting", "kickstand fitting", "mudguard fitting", "rack fitting", "light installation",
    "e-bike diagnostic", "e-bike battery health test", "tubeless conversion", "suspension fork lower service", "frame inspection",
]


def shared_system_prompt():
    rng = random.Random(42)
    prices = {s: rng.choice(range(6, 120)) for s in SERVICES}
    price_lines = "\n".join(f"- {s}: {p} euros" for s, p in prices.items())
    system = (
        "You are the front-desk assistant of Cogwheel Cycles, a bicycle repair workshop. Answer customers briefly and "
        "politely, using only the facts below. If a question is not covered, say that a mechanic will call back.\n\n"
        "Opening hours: Monday to Friday 8:00 to 18:30, Saturday 9:00 to 16:00, closed on Sundays and public holidays.\n"
        "Address: 14 Foundry Lane, next to the old tram depot. Bicycle parking is available in the courtyard.\n"
        "Booking: repairs are booked by phone or at the desk. Walk-in puncture repairs are done while you wait when a "
        "mechanic is free. Most other jobs are ready the next working day; wheel builds take three working days.\n"
        "Parts: prices below are labour only; parts are charged at the listed shop price. Customers may bring their own "
        "parts, but then the workshop gives no warranty on those parts.\n"
        "Warranty: labour is guaranteed for 90 days. A job that fails because of our work is redone free of charge.\n"
        "Payment: card or cash on collection. Bikes not collected within 30 days are charged 2 euros per day of storage.\n"
        "Loan bikes: two city bikes can be borrowed free of charge while a repair takes longer than one day.\n"
        "Electric bikes: only systems from the three brands we are certified for are diagnosed; others are referred to "
        "the maker's service partner.\n\n"
        "Labour price list:\n" + price_lines
    )
    questions = []
    for n, service in enumerate(rng.sample(SERVICES, 12)):
        questions.append((f"How much do you charge for {service}?", rf"\b{prices[service]}\b"))
    questions += [
        ("Are you open on Sunday?", r"(?i)\bno\b|closed"),
        ("What time do you close on Saturday?", r"16(:00)?|4 ?pm"),
        ("How long is labour guaranteed?", r"\b90\b"),
        ("What does storage cost if I collect my bike late?", r"\b2\b"),
    ]
    lines = []
    for n, (question, pattern) in enumerate(questions):
        lines.append({
            "id": f"shared-{n + 1:02d}",
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": question}],
            "max_tokens": 48,
            "temperature": 0,
            "check": {"type": "regex", "expected": pattern},
        })
    write("shared-system-prompt", lines)


def fixed_length():
    topics = [
        "a lighthouse keeper who finds a message in a bottle",
        "a robot learning to bake bread",
        "two friends building a raft on a summer afternoon",
        "a village that wakes up to find all its clocks have stopped",
        "a fox and a crow who agree to share a garden",
        "a girl who collects the sounds of the city in jars",
        "an old train that makes one last journey across the mountains",
        "a library where the books rearrange themselves at night",
    ]
    lines = [{
        "id": f"fixed-{n + 1:02d}",
        "messages": user(f"Write a long, detailed story about {topic}."),
        "fixed_output_tokens": 128,
        "temperature": 0,
    } for n, topic in enumerate(topics)]
    write("fixed-length", lines)


if __name__ == "__main__":
    short_chat()
    long_prompt()
    shared_system_prompt()
    fixed_length()
