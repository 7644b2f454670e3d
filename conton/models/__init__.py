"""SQLModel tables; importing this package registers all of them."""
from .announcements import Announcement, AnnouncementAttachment, AnnouncementClient, AnnouncementRecipient
from .agenda import (CalendarToken, Event, EventException, EventReminder, ExtraHoliday, Obligation,
                     ObligationAssignment, ObligationDone, ObligationOverride)
from .audit import AuditLog
from .docrequests import DocRequest, DocRequestFile, DocRequestRule
from .documents import (ClientResponsible, DocFile, DocFolder, FolderTemplate, NotificationDefault,
                        NotificationPreference, Protocol, ProtocolEvent, ProtocolFile)
from .finance import AlertSent, Bill, Charge, FinanceMonth, Receipt
from .notifications import Notification, OutboxEmail
from .office import Office, OfficeSetting
from .people import Client, LoginAttempt, Supplier, User, UserToken
from .reminders import ReminderSent
from .requests import (ClientRequest, RequestAttachment, RequestCategory, RequestMessage, RequestRead,
                       RequestWatcher)
from .servicelog import ServiceRecord

__all__ = ['AlertSent', 'AuditLog', 'Bill', 'Charge', 'Client', 'FinanceMonth', 'LoginAttempt', 'Notification',
           'Office', 'OutboxEmail', 'Receipt', 'ReminderSent', 'Supplier', 'User', 'UserToken',
           'ClientResponsible', 'DocFile', 'DocFolder', 'FolderTemplate', 'NotificationDefault', 'NotificationPreference', 'Protocol',
           'ProtocolEvent', 'ProtocolFile',
           'CalendarToken', 'Event', 'EventException', 'EventReminder', 'ExtraHoliday', 'Obligation',
           'ObligationAssignment', 'ObligationDone', 'ObligationOverride',
           'Announcement', 'AnnouncementAttachment', 'AnnouncementClient', 'AnnouncementRecipient',
           'DocRequest', 'DocRequestFile', 'DocRequestRule', 'OfficeSetting',
           'ClientRequest', 'RequestAttachment', 'RequestCategory', 'RequestMessage', 'RequestRead', 'RequestWatcher',
           'ServiceRecord']
