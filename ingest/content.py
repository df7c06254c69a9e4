"""The content catalog: channels, titles and episodes, as CSV landing files."""

from ingest.spec import Column, RawSource

CHANNELS = RawSource(
    name="content_channels",
    domain="content",
    format="csv",
    path="content/channels.csv",
    daily=False,
    description="TV channels per operator",
    columns=(
        Column("channel_id", "UInt32", "channel_id"),
        Column("client_id", "UInt32", "client_id"),
        Column("name", "String", "nullIf(name, '')"),
    ),
    key="channel_id",
    order_by="channel_id",
)
TITLES = RawSource(
    name="content_titles",
    domain="content",
    format="csv",
    path="content/titles.csv",
    daily=False,
    description="titles (films and series) with genre and age restriction",
    columns=(
        Column("title_id", "UInt32", "title_id"),
        Column("title_ru", "String", "nullIf(title_ru, '')"),
        Column("genre_name", "String", "nullIf(genre_name, '')"),
        Column("age_restriction", "UInt8", "age_restriction"),
    ),
    key="title_id",
    order_by="title_id",
)
EPISODES = RawSource(
    name="content_episodes",
    domain="content",
    format="csv",
    path="content/episodes.csv",
    daily=False,
    description="episodes by title and season",
    columns=(
        Column("episode_id", "UInt32", "episode_id"),
        Column("title_id", "UInt32", "title_id"),
        Column("season_num", "UInt16", "season_num"),
        Column("episode_num", "UInt16", "episode_num"),
        Column("duration_s", "UInt32", "duration_s"),
    ),
    key="episode_id",
    order_by="title_id, season_num, episode_num",
)

SOURCES = (CHANNELS, TITLES, EPISODES)
