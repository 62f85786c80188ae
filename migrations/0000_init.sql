CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `article_embeds` (
	`article_id` text NOT NULL,
	`position` integer NOT NULL,
	`embed_id` text NOT NULL,
	`role` text NOT NULL,
	`url` text NOT NULL,
	`fallback` text,
	PRIMARY KEY(`article_id`, `position`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`embed_id`) REFERENCES `embeds`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `article_embeds_embed` ON `article_embeds` (`embed_id`);--> statement-breakpoint
CREATE TABLE `articles` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`url` text,
	`title` text,
	`html` text,
	`html_sha256` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `articles_key_unique` ON `articles` (`key`);--> statement-breakpoint
CREATE TABLE `blobs` (
	`sha256` text PRIMARY KEY NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`width` integer,
	`height` integer,
	`placeholder` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `captures` (
	`id` text PRIMARY KEY NOT NULL,
	`embed_id` text NOT NULL,
	`method` text NOT NULL,
	`status` text NOT NULL,
	`availability` text NOT NULL,
	`data` text,
	`raw_sha256` text,
	`screenshot_sha256` text,
	`screenshot_width` integer,
	`screenshot_height` integer,
	`layers` text,
	`evidence` text,
	`error` text,
	`started_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	FOREIGN KEY (`embed_id`) REFERENCES `embeds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`raw_sha256`) REFERENCES `blobs`(`sha256`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`screenshot_sha256`) REFERENCES `blobs`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `captures_embed` ON `captures` (`embed_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `checks` (
	`id` text PRIMARY KEY NOT NULL,
	`embed_id` text NOT NULL,
	`checked_at` integer NOT NULL,
	`availability` text NOT NULL,
	`http_status` integer,
	`typename` text,
	`final_url` text,
	`excerpt` text,
	`error` text,
	FOREIGN KEY (`embed_id`) REFERENCES `embeds`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `checks_embed` ON `checks` (`embed_id`,`checked_at`);--> statement-breakpoint
CREATE TABLE `embeds` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`provider_id` text NOT NULL,
	`url` text NOT NULL,
	`canonical_url` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`availability` text DEFAULT 'unknown' NOT NULL,
	`fallback` text,
	`hints` text,
	`latest_capture_id` text,
	`archived_at` integer,
	`last_checked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `embeds_canonical_url_unique` ON `embeds` (`canonical_url`);--> statement-breakpoint
CREATE INDEX `embeds_provider_id` ON `embeds` (`provider`,`provider_id`);--> statement-breakpoint
CREATE INDEX `embeds_status` ON `embeds` (`status`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`state` text NOT NULL,
	`dedup_key` text,
	`priority` integer DEFAULT 0 NOT NULL,
	`run_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer DEFAULT 5 NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `jobs_due` ON `jobs` (`state`,`priority`,`run_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_active_dedup` ON `jobs` (`dedup_key`) WHERE "jobs"."state" in ('queued', 'leased') and "jobs"."dedup_key" is not null;--> statement-breakpoint
CREATE TABLE `media` (
	`capture_id` text NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`sha256` text NOT NULL,
	`original_url` text NOT NULL,
	`alt` text,
	PRIMARY KEY(`capture_id`, `position`),
	FOREIGN KEY (`capture_id`) REFERENCES `captures`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sha256`) REFERENCES `blobs`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `renditions` (
	`source_sha256` text NOT NULL,
	`format` text NOT NULL,
	`width` integer NOT NULL,
	`sha256` text NOT NULL,
	`height` integer NOT NULL,
	PRIMARY KEY(`source_sha256`, `format`, `width`),
	FOREIGN KEY (`source_sha256`) REFERENCES `blobs`(`sha256`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sha256`) REFERENCES `blobs`(`sha256`) ON UPDATE no action ON DELETE no action
);
