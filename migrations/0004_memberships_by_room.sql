-- Custom migration: drizzle-kit cannot declare WITHOUT ROWID. A room's members are kept together,
-- in (room_id, participant_id) order, so waking a room rewrites a few pages, not one per member.
CREATE TABLE `memberships_by_room` (
	`room_id` text NOT NULL,
	`participant_id` text NOT NULL,
	`read_seq` integer DEFAULT 0 NOT NULL,
	`joined_at` integer NOT NULL,
	`left_at` integer,
	PRIMARY KEY(`room_id`, `participant_id`),
	FOREIGN KEY (`room_id`) REFERENCES `rooms`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `memberships_by_room` SELECT `room_id`, `participant_id`, `read_seq`, `joined_at`, `left_at` FROM `memberships`;--> statement-breakpoint
DROP TABLE `memberships`;--> statement-breakpoint
ALTER TABLE `memberships_by_room` RENAME TO `memberships`;--> statement-breakpoint
CREATE INDEX `memberships_participant` ON `memberships` (`participant_id`);
