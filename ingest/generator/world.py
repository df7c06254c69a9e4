"""The slowly changing part of the sample world: operators, tariffs, accounts, channels and titles.

Everything is drawn from one seeded generator, so the same (seed, scale, start) gives the same world.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

CLIENT_IDS = np.array([1, 2])
DEVICES = np.array(["android_stb", "smart_tv_samsung", "smart_tv_lg", "android", "ios", "web"])
DEVICE_WEIGHTS = np.array([0.30, 0.18, 0.12, 0.18, 0.12, 0.10])
REGIONS = np.array(
    [
        "Москва",
        "Санкт-Петербург",
        "Новосибирская область",
        "Свердловская область",
        "Республика Татарстан",
        "Краснодарский край",
        "Нижегородская область",
        "Самарская область",
    ]
)
REGION_WEIGHTS = np.array([0.30, 0.15, 0.08, 0.09, 0.10, 0.12, 0.08, 0.08])
GENRES = np.array(["драма", "комедия", "детектив", "фантастика", "мультфильм", "документальный", "триллер"])
AGE_RESTRICTIONS = np.array([0, 6, 12, 16, 18])
SUBSCRIPTION_KINDS = np.array(["monthly", "annual", "trial"])
CHANNELS_PER_CLIENT = 40
TITLES = 60
# (client, name, monthly price in minor units, currency)
TARIFFS = [
    (1, "Базовый", 29900, "RUB"),
    (1, "Оптимальный", 49900, "RUB"),
    (1, "Премиум", 89900, "RUB"),
    (2, "Start", 29900, "RUB"),
    (2, "Plus", 59900, "RUB"),
    (2, "International", 999, "USD"),
]


@dataclass(frozen=True)
class World:
    start: date
    days: int
    scale: float
    seed: int
    # accounts
    account_id: np.ndarray
    account_client: np.ndarray
    account_tariff: np.ndarray
    account_region: np.ndarray
    account_active: np.ndarray
    account_device: np.ndarray
    account_created: np.ndarray  # unix seconds
    account_weight: np.ndarray  # how much each account watches, sums to 1 per client
    # tariffs
    tariff_id: np.ndarray
    tariff_client: np.ndarray
    tariff_name: np.ndarray
    tariff_price: np.ndarray  # minor units
    tariff_currency: np.ndarray
    # channels
    channel_id: np.ndarray
    channel_client: np.ndarray
    channel_name: np.ndarray
    # titles and episodes
    title_id: np.ndarray
    title_name: np.ndarray
    title_genre: np.ndarray
    title_age: np.ndarray
    episode_id: np.ndarray
    episode_title: np.ndarray
    episode_season: np.ndarray
    episode_num: np.ndarray
    episode_duration: np.ndarray  # seconds

    @property
    def start_seconds(self) -> int:
        return int(np.datetime64(self.start, "s").astype(np.int64))

    def day_seconds(self, day_index: int) -> int:
        return self.start_seconds + day_index * 86400


def build_world(start: date, days: int, scale: float, seed: int) -> World:
    rng = np.random.default_rng([seed, 0])
    n_accounts = max(20, int(2000 * scale))
    start_s = int(np.datetime64(start, "s").astype(np.int64))

    tariff_id = np.arange(1, len(TARIFFS) + 1)
    tariff_client = np.array([t[0] for t in TARIFFS])
    account_client = rng.choice(CLIENT_IDS, size=n_accounts, p=[0.6, 0.4])
    account_tariff = np.empty(n_accounts, dtype=np.int64)
    for client in CLIENT_IDS:
        mask = account_client == client
        account_tariff[mask] = rng.choice(
            tariff_id[tariff_client == client], size=int(mask.sum()), p=_tariff_mix(client)
        )
    # a quarter of the accounts arrive during the generated period, the rest earlier
    created = start_s - rng.integers(1, 400, n_accounts) * 86400
    newcomers = rng.random(n_accounts) < 0.25
    created[newcomers] = start_s + rng.integers(0, max(days, 1) * 86400, int(newcomers.sum()))
    weight = rng.pareto(1.5, n_accounts) + 0.2
    for client in CLIENT_IDS:
        mask = account_client == client
        weight[mask] /= weight[mask].sum()

    channel_client = np.repeat(CLIENT_IDS, CHANNELS_PER_CLIENT)
    channel_id = np.arange(1, len(channel_client) + 1)
    n_seasons = rng.integers(1, 4, TITLES)
    episodes_per_season = rng.integers(6, 11, TITLES)
    episode_title = np.repeat(np.arange(1, TITLES + 1), n_seasons * episodes_per_season)
    episode_season = np.concatenate(
        [np.repeat(np.arange(1, s + 1), e) for s, e in zip(n_seasons, episodes_per_season, strict=False)]
    )
    episode_num = np.concatenate(
        [np.tile(np.arange(1, e + 1), s) for s, e in zip(n_seasons, episodes_per_season, strict=False)]
    )

    return World(
        start=start,
        days=days,
        scale=scale,
        seed=seed,
        account_id=np.arange(1, n_accounts + 1),
        account_client=account_client,
        account_tariff=account_tariff,
        account_region=rng.choice(REGIONS, size=n_accounts, p=REGION_WEIGHTS),
        account_active=rng.random(n_accounts) < 0.85,
        account_device=rng.choice(DEVICES, size=n_accounts, p=DEVICE_WEIGHTS),
        account_created=created,
        account_weight=weight,
        tariff_id=tariff_id,
        tariff_client=tariff_client,
        tariff_name=np.array([t[1] for t in TARIFFS]),
        tariff_price=np.array([t[2] for t in TARIFFS]),
        tariff_currency=np.array([t[3] for t in TARIFFS]),
        channel_id=channel_id,
        channel_client=channel_client,
        channel_name=np.array([f"Канал {i}" for i in channel_id]),
        title_id=np.arange(1, TITLES + 1),
        title_name=np.array([f"Сериал №{i}" for i in range(1, TITLES + 1)]),
        title_genre=rng.choice(GENRES, size=TITLES),
        title_age=rng.choice(AGE_RESTRICTIONS, size=TITLES),
        episode_id=np.arange(1, len(episode_title) + 1),
        episode_title=episode_title,
        episode_season=episode_season,
        episode_num=episode_num,
        episode_duration=rng.integers(20, 60, len(episode_title)) * 60,
    )


def _tariff_mix(client: int) -> list[float]:
    return [0.5, 0.35, 0.15] if client == 1 else [0.55, 0.35, 0.10]
