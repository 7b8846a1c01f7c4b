#!/usr/bin/env python3
"""Writes the finetune demo dataset (chats.jsonl): short question/answer chats in TinyStories vocabulary.

Every assistant reply is one short sentence that answers from the user's message, which the base stories260K model
never does (it just keeps telling a story). Deterministic: the same seed gives the same file.
"""
import json
import random

rng = random.Random(20261130)
names = ["Lily", "Tom", "Ben", "Sue", "Max", "Mia", "Sam", "Anna", "Tim", "Lucy", "Jack", "Amy"]
things = ["ball", "hat", "cat", "dog", "box", "car", "kite", "cake", "boat", "doll", "bird", "fish"]
colors = ["red", "blue", "green", "yellow", "pink", "big", "little", "happy"]
places = ["park", "house", "garden", "school", "store", "pond", "forest", "beach"]
feelings = ["happy", "sad", "scared", "tired", "angry", "excited"]
reasons = {"happy": "she got a gift", "sad": "it was raining", "scared": "the dog was loud",
           "tired": "he ran all day", "angry": "the toy broke", "excited": "they went to the park"}


def chat(user, answer):
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]}


def what_color():
    n, t, c = rng.choice(names), rng.choice(things), rng.choice(colors)
    return chat(f"{n} has a {c} {t}. What is the {t} like?", f"The {t} is {c}.")


def who_has():
    n, t = rng.choice(names), rng.choice(things)
    return chat(f"{n} found a {t}. Who found the {t}?", f"{n} found the {t}.")


def where_went():
    n, p = rng.choice(names), rng.choice(places)
    return chat(f"{n} went to the {p}. Where did {n} go?", f"{n} went to the {p}.")


def how_feel():
    n, f = rng.choice(names), rng.choice(feelings)
    return chat(f"{n} was {f} because {reasons[f]}. How did {n} feel?", f"{n} felt {f}.")


def greeting():
    n = rng.choice(names)
    return chat(f"Hi, I am {n}.", f"Hello {n}!")


makers = [what_color, who_has, where_went, how_feel, greeting]
seen = set()
rows = []
while len(rows) < 400:
    row = rng.choice(makers)()
    key = json.dumps(row)
    if key in seen:
        continue
    seen.add(key)
    rows.append(key)
with open("chats.jsonl", "w", encoding="utf-8") as f:
    f.write("\n".join(rows) + "\n")
