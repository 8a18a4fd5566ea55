// Organizer dashboard entry: ?token=<organizer token>
import { boot } from '../ui/app.js';
import { OrganizerApp } from '../ui/organizer/app.js';

boot('organizer', OrganizerApp);
