"""Which object keys may hold an enum, and which name a secret (pure).

A key is split into words (`userId` -> user, id; `default_branch` -> default, branch);
secrets and personal names are also looked for inside the key with its separators
dropped, since `apikey`, `clientsecret` and `firstname` are one word. Re-exported by
`driftcheck.core.domains`, whose docstring gives the corpus figures.
"""

from __future__ import annotations

import functools
import re

_HUMPS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+|(?<=[A-Z])(?=[A-Z][a-z])")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ID_WORDS = _words("valid invalid paid prepaid unpaid void android hybrid grid fluid solid")
# A last word that names a choice: the key is one whatever it qualifies.
_CHOICE_WORDS = _words("type kind status state mode format level category role scope stage")
# Key words that name data rather than a choice among a few values: ids, names, free
# text, secrets, addresses, links, digests, and what a record belongs to or where it is
# (`company`, `country`, `region`, `default_branch`, `language`, `locale`: re-recorded
# fixed test users show a new one, which is sampling, not drift; AWS-like regions are
# real vocabulary but open-ended and name where a resource lives, so they go too). A key
# is split into words (`userId` -> user, id); one such word, or a word ending a key in
# `id`/`ids`, excludes the path.
_NOT_ENUM_WORDS = _words(
    """
    id uuid guid uid key token secret password passwd pass pwd credential auth pin otp
    cvv cvc ssn name login username user owner author creator handle nickname display
    recipient sender assignee reviewer committer member customer account email mail phone
    address street city zip postal country region location zone company organization org
    tenant team workspace project namespace channel repo repository branch ref database db
    table bucket queue cluster server site host hostname domain url uri href link slug
    path file filename dir directory ip field target source language lang locale
    currency title description desc body text message msg content summary comment note
    query search label tag keyword topic alias sha hash etag digest checksum signature
    cursor nonce salt fingerprint avatar image icon color colour service env environment
    app timezone tz model version release value val
    gender religion ethnicity nationality iban card passport license licence
    forename fname lname initials caller requester reporter approver submitter contact
    answer hint psk county province district suburb
    coupon promo voucher referral invite invitation
    vendor brand manufacturer supplier merchant
    """
)
# Personal attributes (sensitive data of a person: HR and health records): never an enum,
# whatever word the key ends in (`maritalStatus`, `veteran_status`, `blood_type`), so
# a new hire's value is never shown with its count.
_PERSONAL_WORDS = _words(
    """
    marital sex gender race ethnicity ethnic religion religious veteran disability
    disabled blood nationality citizenship pronoun pronouns orientation sexual pregnancy
    medical diagnosis birth
    """
)
# Keys a merchant's catalogue fills (Shopify's `product_type`): data, though `type` ends them.
_DATA_KEYS = frozenset({"product_type", "producttype"})
# Whole objects that hold a place or a redeemable code: nothing below them is an enum
# (`address.state`, `billing_address.province`, `discount_codes[*].code`).
_HOLDING_WORDS = _words("address addresses billing shipping location geo coupon coupons voucher")
# People's name parts (FHIR HumanName `family`/`given`): a name only as the whole key
# (`last_action`, `first_seen` name no person); below a key naming a name, anything is
# held by it (`core/inference.py`).
_NAME_KEYS = _words("first last middle given family")
# A person who did or holds something (`sys_created_by`, `approvedBy`, `assigned_to`); the
# order of a list (`sort_by`, `order_by`, `group_by`) is a choice.
_ORDER_WORDS = _words(
    "sort sorted order ordered group grouped filter filtered partition partitioned split"
)
_TO_PERSON = _words("assigned sent reply delegated forwarded escalated")
# Codes that redeem value a test suite re-uses (`SUMMER`, `WELCOME`), as one word too.
_CODE_PART = re.compile(
    r"(?:promo|promotion|coupon|voucher|referral|invite|invitation|discount|gift|redeem|redemption)"
    r"codes?|giftcards?"
)
# Counts of a language model's tokens (`prompt_tokens`, `promptTokensDetails`) are no
# secret: `token` after one of these words is not looked for.
_LLM_COUNTS = "".join(
    f"(?<!{word})"
    for word in [
        "prompt",
        "completion",
        "input",
        "output",
        "cache",
        "cached",
        "reasoning",
        "max",
        "total",
        "audio",
        "text",
        "image",
        "video",
        "thoughts",
        "candidates",
        "accepted",
        "rejected",
    ]
)
# Secrets and personal names written as one word (`apikey`, `clientsecret`, `firstname`):
# found anywhere in the key with its separators dropped. `auth` but not `author`.
_SECRET_PART = re.compile(
    r"password|passwd|passphrase|passcode|pincode|secret|apikey|accesskey|privatekey"
    r"|credential|session|csrf|xsrf|cookie|bearer|mnemonic|seedphrase|totp|jwt|hmac|memorable"
    r"|(?:access|security|recovery|backup|verification|mfa)codes?"
    r"|auth(?!or(?!i[sz]))|" + _LLM_COUNTS + "token"
)
_NAME_PART = re.compile(
    r"firstname|lastname|surname|fullname|givenname|familyname|username|nickname"
    r"|displayname|email|phone"
)
_SECRET_WORDS = _words("pass pwd pin otp cvv cvc ssn psk")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def _key_words(key: str) -> list[str]:
    return [word.lower() for word in _HUMPS.sub(" ", key).split()]


@functools.lru_cache(maxsize=4096)  # keys repeat in every object
def secret_key(key: str) -> bool:
    """Whether `key` names a secret (`password`, `client_secret`, `apikey`, `credentials`,
    `session`, `csrf`, `private_key`, `pin`): nothing below it is reported as an enum, so
    its values never reach a report. `token_type` names a choice, not a secret."""
    words = _key_words(key)
    if not words or words[-1] in _CHOICE_WORDS:
        return False
    if _SECRET_PART.search(_SEPARATORS.sub("", key.lower())):
        return True
    return any(word in _SECRET_WORDS for word in words)


def names_id(key: str) -> bool:
    """Whether `key` names an id: its last word ends in `id`/`ids` (`id`, `user_id`,
    `orderId`, `uuid`), not as `paid` or `android` do."""
    words = _key_words(key)
    last = words[-1] if words else ""
    return last.endswith(("id", "ids")) and last.rstrip("s") not in _ID_WORDS


@functools.lru_cache(maxsize=4096)  # keys repeat in every object
def key_allows_enum(key: str) -> bool:
    """Whether values under `key` may be an enum: not `id`, `user_id`, `userId`,
    `display_name`, `html_url`, `api_key`, `apikey`, `firstname`, `sha`, ...;
    `content_type` may."""
    words = _key_words(key)
    if not words:
        return True
    last = words[-1]
    if names_id(key):
        return False
    if any(word in _PERSONAL_WORDS for word in words) or "_".join(words) in _DATA_KEYS:
        return False
    if last in _HOLDING_WORDS:  # and what is below: `holds_below`
        return False
    if last in _CHOICE_WORDS:  # `content_type`, `message_kind`, `user_status`
        return True
    joined = _SEPARATORS.sub("", key.lower())
    if secret_key(key) or _NAME_PART.search(joined) or _CODE_PART.search(joined):
        return False
    if _names_person(words):
        return False
    return not any(
        word in _NOT_ENUM_WORDS or (word[-1] == "s" and word[:-1] in _NOT_ENUM_WORDS)
        for word in words
    )


def _names_person(words: list[str]) -> bool:
    """A key naming a person or a part of a person's name: `family`, `created_by`,
    `assigned_to` (not `sort_by`)."""
    if len(words) == 1 and words[0] in _NAME_KEYS:
        return True
    if len(words) < 2:
        return False
    if words[-1] == "by":
        return words[-2] not in _ORDER_WORDS
    return words[-1] == "to" and words[-2] in _TO_PERSON


@functools.lru_cache(maxsize=4096)  # keys repeat in every object
def holds_below(key: str) -> bool:
    """Whether nothing below `key` may be an enum: it names a secret (`credentials`,
    `password`), a person's name (`name`, `fullName`, `legal_name`, `names`: FHIR
    `name[*].family`, `name[*].given[*]`), a place (`address.state`, `billing`,
    `location`) or redeemable codes (`discount_codes[*].code`, `promotion_code.code`)."""
    words = _key_words(key)
    if not words:
        return False
    if words[-1] in ("name", "names") or words[-1] in _HOLDING_WORDS or secret_key(key):
        return True
    return _CODE_PART.search(_SEPARATORS.sub("", key.lower())) is not None
